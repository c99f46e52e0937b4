/** The review screen's keys, for the help overlay; the page's key handler implements them. */
export const REVIEW_KEYS: { keys: string[]; what: string }[] = [
  { keys: ['1', '…', '9'], what: 'Pick a value of the current field (pass = 1, fail = 2; yes = 1, no = 2)' },
  { keys: ['j', '↓'], what: 'Next field' },
  { keys: ['k', '↑'], what: 'Previous field' },
  { keys: ['Tab'], what: 'Next field or input (Shift+Tab goes back)' },
  { keys: ['Enter'], what: 'Type into the current number or text field' },
  { keys: ['Esc'], what: 'Leave a text box; close this help, the guidelines or the skip box' },
  { keys: ['n'], what: 'Write notes' },
  { keys: ['MOD', 'Enter'], what: 'Submit and claim the next item (works inside text boxes too)' },
  { keys: ['s'], what: 'Skip the item (asks for a reason)' },
  { keys: ['[', ']'], what: 'Previous / next span of the trace' },
  { keys: ['g'], what: 'Show or hide the guidelines' },
  { keys: ['?'], what: 'Show or hide these keys' },
];
