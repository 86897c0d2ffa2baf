import { sourceKey, type SourceId } from '../protocol/types.js';

/**
 * One sender process as the table knows it. Its registrations are two maps keyed by triple
 * key (see triple.ts) rather than one object per registration, to keep memory per held
 * registration small.
 */
export class Source {
  readonly key: string;
  /** Triple key -> count held (> 0). */
  counts = new Map<string, number>();
  /** Triple key -> last replica seen, as `replicaGuid/replId`. */
  replicas = new Map<string, string>();
  /** Sum of `counts`. */
  registrations = 0;
  announcedIntervalMs: number | null = null;
  droppedReported = 0n;
  gaps = 0;
  restored = false;
  expiresAt = 0;

  constructor(
    readonly id: SourceId,
    public lastSeq: bigint,
    public lastHeardAt: number,
  ) {
    this.key = sourceKey(id);
  }
}

export function replicaText(replicaGuid: string, replId: number): string {
  return `${replicaGuid}/${replId}`;
}

export function parseReplica(text: string): { replicaGuid: string; replId: number } {
  const at = text.indexOf('/');
  return { replicaGuid: text.slice(0, at), replId: Number(text.slice(at + 1)) };
}
