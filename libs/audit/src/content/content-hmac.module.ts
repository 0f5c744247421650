import { Module, type DynamicModule } from '@nestjs/common';
import { ContentHmacKeys } from './content-hmac';

/** Provides the process's {@link ContentHmacKeys} (built once by the runtime) to whoever records or checks digests. */
@Module({})
export class ContentHmacModule {
  static register(keys: ContentHmacKeys): DynamicModule {
    return { module: ContentHmacModule, providers: [{ provide: ContentHmacKeys, useValue: keys }], exports: [ContentHmacKeys] };
  }
}
