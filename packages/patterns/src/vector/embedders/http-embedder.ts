/**
 * An embedder for any OpenAI-compatible `POST /embeddings` API (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio,
 * text-embeddings-inference): `{ model, input: [...] }` in, `{ data: [{ index, embedding }] }` out.
 *
 * Configured from the environment by `embedderFromEnv()`: EMBEDDINGS_URL (the API base, e.g.
 * `https://api.openai.com/v1`, or the full `/embeddings` URL), EMBEDDINGS_MODEL, EMBEDDINGS_API_KEY (optional),
 * EMBEDDINGS_DIM (optional: sent as `dimensions` for models that can shorten their output). The key only ever
 * goes into the Authorization header and is redacted from every error; a URL with credentials in it is refused.
 */
import { redactText } from '../../redact.ts';
import { VectorDimensionError } from '../errors.ts';
import { vectorValueProblem } from '../vectors.ts';
import { EMBEDDER_DEFAULTS, type Embedder, type HttpEmbedderOptions } from './embedder.ts';

/** The URL with any userinfo replaced, for messages. */
function displayUrl(url: URL): string {
  const copy = new URL(url);
  if (copy.username || copy.password) {
    copy.username = '***';
    copy.password = '';
  }
  return copy.toString();
}

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: unknown }[];
}

export class HttpEmbedder implements Embedder {
  readonly dim: number;
  readonly model: string;
  private readonly endpoint: URL;
  private readonly apiKey: string | undefined;
  private readonly sendDimensions: boolean;
  private readonly batchSize: number;
  private readonly timeoutMs: number;

  constructor(options: HttpEmbedderOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new RangeError(`EMBEDDINGS_URL is not a URL: expected e.g. https://api.openai.com/v1`);
    }
    if (base.username || base.password) {
      throw new RangeError(
        `EMBEDDINGS_URL ${displayUrl(base)} carries credentials: put the key in EMBEDDINGS_API_KEY instead`,
      );
    }
    this.endpoint = /\/embeddings\/?$/.test(base.pathname)
      ? base
      : new URL(`${base.pathname.replace(/\/$/, '')}/embeddings`, base);
    this.model = options.model;
    this.apiKey = options.apiKey || undefined;
    this.dim = options.dim ?? EMBEDDER_DEFAULTS.dim;
    this.sendDimensions = options.sendDimensions ?? EMBEDDER_DEFAULTS.sendDimensions;
    this.batchSize = Math.max(1, options.batchSize ?? EMBEDDER_DEFAULTS.batchSize);
    this.timeoutMs = options.timeoutMs ?? EMBEDDER_DEFAULTS.timeoutMs;
  }

  /** Where requests go (never with credentials: those are refused). */
  get url(): string {
    return this.endpoint.toString();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      out.push(...(await this.request(texts.slice(start, start + this.batchSize))));
    }
    return out;
  }

  private async request(input: readonly string[]): Promise<Float32Array[]> {
    const body = { model: this.model, input, ...(this.sendDimensions ? { dimensions: this.dim } : {}) };
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.failure(`cannot reach the API (${(error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw this.failure(`HTTP ${response.status} ${response.statusText}: ${text.slice(0, 300)}`);
    }
    let parsed: EmbeddingsResponse;
    try {
      parsed = JSON.parse(text) as EmbeddingsResponse;
    } catch {
      throw this.failure(`the reply is not JSON: ${text.slice(0, 120)}`);
    }
    const data = parsed.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw this.failure(
        `expected ${input.length} embeddings in "data", got ${Array.isArray(data) ? data.length : 'none'}`,
      );
    }
    const vectors: Float32Array[] = new Array(input.length);
    data.forEach((entry, position) => {
      const embedding = entry.embedding;
      if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number')) {
        throw this.failure('an embedding is not an array of numbers (ask for encoding_format "float")');
      }
      if (embedding.length !== this.dim) {
        throw new VectorDimensionError(
          `Embedding from model "${this.model}"`,
          embedding.length,
          this.dim,
          'the configuration',
          "set EMBEDDINGS_DIM to the model's dimension (and build the index with it), or pick a model of this dimension",
        );
      }
      const at = entry.index ?? position;
      if (!Number.isInteger(at) || at < 0 || at >= input.length || vectors[at]) {
        throw this.failure(`embedding ${position} has index ${at}, outside the ${input.length} inputs or repeated`);
      }
      // A value float32 cannot hold is the API's failure (a 5xx for whoever asked), not the caller's mistake.
      const problem = vectorValueProblem(embedding);
      if (problem) throw this.failure(`embedding ${position} ${problem}`);
      vectors[at] = Float32Array.from(embedding);
    });
    return vectors;
  }

  private failure(reason: string): Error {
    return new Error(
      redactText(`Embedding request to ${this.url} (model "${this.model}") failed: ${reason}`, [this.apiKey]),
    );
  }
}

/** An embedder for an OpenAI-compatible `POST /embeddings` API; refuses a URL that carries credentials. */
export function createHttpEmbedder(options: HttpEmbedderOptions): Embedder {
  return new HttpEmbedder(options);
}
