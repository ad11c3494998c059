/** Bounds of the GraphQL API that clients see in the schema (the rest is in HubConfig). */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;
/** envelopes per `submitEnvelopes` (the request body limit applies too) */
export const MAX_SUBMIT_ENVELOPES = 100;
/** subscriptions one WebSocket may hold at a time */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;
/** largest WebSocket message accepted from a client */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
