import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { HubConfig } from '../config/hub-config';

export const GRAPHQL_PATH = '/graphql';

/**
 * Bounds GraphQL request bodies by their declared length before the JSON parser reads them.
 * Mounted while the app is being built (providers are made before createHubApp adds the body
 * parsers), so it runs ahead of them.
 */
@Injectable()
export class GraphqlRequestLimit {
  constructor(host: HttpAdapterHost, @Inject(HubConfig) config: HubConfig) {
    const max = config.GRAPHQL_MAX_BODY_BYTES;
    host.httpAdapter?.use(GRAPHQL_PATH, (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'POST') return next();
      const declared = req.headers['content-length'];
      const refuse = (status: number, code: string, message: string) =>
        res.status(status).json({ errors: [{ message, extensions: { code, maximum: max } }] });
      // a chunked body would be read before its size is known
      if (declared === undefined) return refuse(411, 'BAD_REQUEST', 'send the GraphQL request with a Content-Length header');
      if (Number(declared) > max) return refuse(413, 'REQUEST_TOO_LARGE', `the request body is ${declared} bytes; this hub accepts at most ${max} on /graphql. Submit fewer envelopes per request`);
      next();
    });
  }
}
