/** Why a reconciliation message was refused; stable strings that the HTTP layer can map to 4xx answers. */
export type ReconcileErrorCode =
  | 'message_too_large'
  | 'truncated'
  | 'varint_overflow'
  | 'varint_not_minimal'
  | 'bad_version'
  | 'unsupported_version'
  | 'unknown_mode'
  | 'bound_out_of_order'
  | 'bound_prefix_too_long'
  | 'timestamp_out_of_range'
  | 'id_list_too_long'
  | 'too_many_ranges';

/** The only error a malformed or hostile reconciliation message can raise. */
export class ReconcileProtocolError extends Error {
  override readonly name = 'ReconcileProtocolError';

  constructor(
    readonly code: ReconcileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
