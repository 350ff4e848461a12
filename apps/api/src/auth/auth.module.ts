import { Global, Module } from '@nestjs/common';
import { AuditModule } from '@parkex/api/audit/audit.module';
import { ApiKeyGuard } from './api-key.guard';
import { AuthService } from './auth.service';

@Global()
@Module({
  imports: [AuditModule],
  providers: [AuthService, ApiKeyGuard],
  exports: [AuthService, ApiKeyGuard, AuditModule],
})
export class AuthModule {}
