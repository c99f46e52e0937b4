/**
 * The ingest redaction engine itself, not a copy: the settings preview shows exactly what ingest
 * will store. It is pure (no bindings, no node:*), so it runs in the browser as it does in the Worker.
 */
export { compileRedaction, marker } from '../../../../../../worker/ingest/redact';
