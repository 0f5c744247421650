import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { buildDataSourceOptions } from './data-source';

@Module({})
export class DatabaseModule {
  /**
   * The app owns its data source: TypeORM connects on boot and closes it on app shutdown.
   * Migrations are not run here (`migrationsRun: false`); run them first with `runMigrations`.
   */
  static forRoot(url: string, poolSize = 10): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...buildDataSourceOptions(url, poolSize), retryAttempts: 3, retryDelay: 1_000 })],
      exports: [TypeOrmModule],
    };
  }

  /**
   * Shares one initialised data source (created with `createDataSource`) between several apps of
   * one process. The caller destroys it, after every app has closed: no app closes it for the others.
   * `TypeOrmModule.forFeature([...])` works on top of it as usual.
   */
  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      global: true,
      module: DatabaseModule,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: EntityManager, useValue: dataSource.manager },
      ],
      exports: [DataSource, EntityManager],
    };
  }
}
