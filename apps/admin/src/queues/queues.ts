import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, type BullBoardInstance, InjectBullBoard } from '@bull-board/nestjs';
import { Inject, Injectable, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { AdminConfig } from '../config/admin-config';

export const QUEUES_PATH = '/queues';

/** bull-board has no login of its own: the session gate has already run; here only hub admins pass. */
export function hubAdminsOnly(req: Request, res: Response, next: NextFunction): void {
  if (req.adminSession?.admin.role === 'HUB_ADMIN') return next();
  res.status(403).json({ error: 'FORBIDDEN', message: 'the queues are for hub admins' });
}

/** Registers the hub's BullMQ queues (names from ADMIN_QUEUES, under the hub's REDIS_PREFIX) with bull-board. */
@Injectable()
export class QueueBoard implements OnModuleInit, OnApplicationShutdown {
  private readonly queues: Queue[] = [];

  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    @Inject(AdminConfig) private readonly config: AdminConfig,
  ) {}

  onModuleInit(): void {
    for (const name of this.config.queueNames) {
      // Its own connection options, not the hub's factory (apps/hub/src/redis/redis-roles.ts): the
      // dashboard is a separate app that imports nothing of the hub, and this read-mostly board
      // connection needs only what BullMQ requires of any connection (maxRetriesPerRequest: null).
      const queue = new Queue(name, { connection: { url: this.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: this.config.REDIS_PREFIX });
      queue.on('error', () => undefined); // Redis down: bull-board shows errors per request; no crash
      this.queues.push(queue);
      this.board.addQueue(new BullMQAdapter(queue));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

export function queueBoardModule(): DynamicModule {
  return BullBoardModule.forRoot({
    route: QUEUES_PATH,
    adapter: ExpressAdapter,
    middleware: hubAdminsOnly,
    boardOptions: { uiConfig: { boardTitle: 'Kiki Hub queues' } },
  });
}
