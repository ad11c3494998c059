import { Module } from '@nestjs/common';
import { AdminRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { StorageModule } from '../storage.module';
import { AdminAccountService } from './admin-account.service';
import { AuditService } from './audit.service';

/** Admin accounts (hub and region admins, sessions) and the audit log of their actions. */
@Module({
  imports: [StorageModule],
  providers: [{ provide: AdminRepository, inject: [DataSource], useFactory: (ds: DataSource) => new AdminRepository(ds) }, AuditService, AdminAccountService],
  exports: [AuditService, AdminAccountService],
})
export class AdminModule {}
