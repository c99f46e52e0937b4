import { storeFeedback } from '../data/signals';
import { FeedbackItem } from '../schemas/signals';
import { signalEndpoint } from '../signals/endpoint';
import { feedbackRow } from '../signals/rows';

/** `POST /api/v1/feedback`: end-user feedback (thumbs, ratings, comments, sentiment). */
const routes = signalEndpoint({
  schema: FeedbackItem,
  table: 'feedback',
  toRow: feedbackRow,
  store: storeFeedback,
  redact: (f, r) => ({
    ...f,
    comment: f.comment === undefined ? undefined : r.text(f.comment).text,
    endUserId: f.endUserId === undefined ? undefined : r.text(f.endUserId).text,
  }),
});

export default routes;
export type FeedbackRoutes = typeof routes;
