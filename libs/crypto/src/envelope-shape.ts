/** The envelope as it travels (PROTOCOL.md), on its own so envelope.ts and v2.ts can both use it without importing each other. */
export interface Envelope {
  id: string;
  timestamp: string;
  sender: { public: string };
  signature: string;
  sealed_recipients: string[];
  sealed_letter: string;
  /** Envelope v2: the sender's XEdDSA signature of every other field (v2.ts); absent on v1 envelopes. */
  signature_v2?: string;
}
