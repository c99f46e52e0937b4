import type { SpanDetail } from '$shared/traces';

export type { MeResponse, ProjectMembership } from '$shared/auth';
export type { Page } from '$shared/common';
export type { SpanDetail, TraceDetailResponse, TraceSummary } from '$shared/traces';

export type LlmView = SpanDetail['llm'];
export type ChatMessage = LlmView['inputMessages'][number];
export type ToolCall = LlmView['toolCalls'][number];
export type Attributes = SpanDetail['attributes'];
export type AttrValue = Attributes[string];
export type StatusName = SpanDetail['status']['code'];
export type SpanKindName = LlmView['kind'];
export type {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreatedApiKeyResponse,
  CreatedInviteResponse,
  InviteLookupResponse,
  MemberListResponse,
  MemberResponse,
  PendingInviteResponse,
  ProjectResponse,
} from '$shared/projects';
export type { Role, Scope } from '$shared/common';
export type { EvaluationResponse, FeedbackResponse } from '$shared/signals';
