import { Module } from '@nestjs/common';
import { Lifecycle } from './lifecycle';

/** Whether this process is draining (shutdown.ts sets it; readiness and responses read it). */
@Module({ providers: [Lifecycle], exports: [Lifecycle] })
export class LifecycleModule {}
