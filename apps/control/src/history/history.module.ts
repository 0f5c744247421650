import { Module } from '@nestjs/common';
import { PolicyHistoryReader } from '@gw/policy';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/** `/api/policy-gateway/history`: revision entries and enforcement decisions of the organisation. */
@Module({
  controllers: [HistoryController],
  providers: [PolicyHistoryReader, HistoryService],
})
export class HistoryModule {}
