import { Injectable } from '@nestjs/common';

/** Whether this process is shutting down: readiness answers 503 and responses close their connection. */
@Injectable()
export class Lifecycle {
  draining = false;
}
