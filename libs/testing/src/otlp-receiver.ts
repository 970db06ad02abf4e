import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an OTLP/HTTP collector received at POST /v1/traces. */
export interface OtlpExport {
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/**
 * An OTLP/HTTP trace collector that answers every export with success (an empty
 * ExportTraceServiceResponse, JSON or protobuf as it was sent). It keeps what it is sent
 * (`exports`), or with `keep: false` only counts it, as the benchmark's sink does.
 */
export class OtlpReceiver {
  readonly exports: OtlpExport[] = [];
  /** Exports and bytes received, kept or not. */
  readonly received = { exports: 0, bytes: 0 };
  private constructor(private readonly server: Server) {}

  static async start(options: { readonly port?: number; readonly keep?: boolean } = {}): Promise<OtlpReceiver> {
    const receiver: OtlpReceiver = new OtlpReceiver(
      createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => {
          receiver.received.bytes += chunk.length;
          if (options.keep !== false) chunks.push(chunk);
        });
        request.on('end', () => {
          const traces = request.method === 'POST' && request.url === '/v1/traces';
          if (traces) {
            receiver.received.exports++;
            if (options.keep !== false) receiver.exports.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
          }
          const json = request.headers['content-type'] === 'application/json';
          response.writeHead(traces ? 200 : 404, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
        });
      }),
    );
    await new Promise<void>((listening) => receiver.server.listen(options.port ?? 0, '127.0.0.1', listening));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((closed) => this.server.close(() => closed()));
  }
}
