/**
 * The last replica (GUID and id) seen per triple of one source. A sender process usually
 * serves one mailbox, so its triples share one replica: that one is stored once, as the
 * source's common replica, and only the triples that differ from it get an entry.
 */
export class Replicas {
  private common: string | undefined;
  private readonly others = new Map<string, string>();

  set(triple: string, replicaGuid: string, replId: number): void {
    const replica = `${replicaGuid}/${replId}`;
    this.common ??= replica;
    if (replica === this.common) this.others.delete(triple);
    else this.others.set(triple, replica);
  }

  get(triple: string): { replicaGuid: string; replId: number } {
    const replica = this.others.get(triple) ?? this.common ?? '';
    const at = replica.indexOf('/');
    return { replicaGuid: replica.slice(0, at), replId: Number(replica.slice(at + 1)) };
  }

  delete(triple: string): void {
    this.others.delete(triple);
  }
}
