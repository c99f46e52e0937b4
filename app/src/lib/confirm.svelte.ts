/** One confirmation dialog for the whole app (rendered by `ConfirmDialog` in the signed-in layout). */

export interface ConfirmRequest {
  title: string;
  body?: string;
  /** The button that goes ahead, e.g. "Revoke key". */
  confirmLabel: string;
  /** Styles the confirm button as destructive. Defaults to true. */
  danger?: boolean;
}

class Confirmer {
  request = $state<ConfirmRequest | null>(null);
  #resolve: ((ok: boolean) => void) | null = null;

  /** Resolves true when the person confirms, false on cancel or Escape. */
  ask(request: ConfirmRequest): Promise<boolean> {
    this.#resolve?.(false);
    this.request = request;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  answer(ok: boolean): void {
    this.#resolve?.(ok);
    this.#resolve = null;
    this.request = null;
  }
}

export const confirmer = new Confirmer();
