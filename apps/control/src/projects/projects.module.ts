import { Module } from '@nestjs/common';
import { ProjectStoreModule } from '@gw/policy';
import { ProjectsController } from './projects.controller';
import { ProjectsService } from './projects.service';

/** The projects API of the control plane. */
@Module({
  imports: [ProjectStoreModule.forControl()],
  controllers: [ProjectsController],
  providers: [ProjectsService],
})
export class ProjectsModule {}
