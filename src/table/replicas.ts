// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The last replica (GUID and id) seen per triple of one source. A sender process usually
 * serves one mailbox, so its triples share one replica: that one is stored once, as the
 * source's common replica, and only the triples that differ from it get an entry.
 */
export class Replicas {
  private commonGuid: string | undefined;
  private commonReplId = 0;
  /** Triple -> `guid/replId`, for the triples whose replica is not the common one. */
  private readonly others = new Map<string, string>();

  set(triple: string, replicaGuid: string, replId: number): void {
    if (this.commonGuid === undefined) {
      this.commonGuid = replicaGuid;
      this.commonReplId = replId;
    }
    // Compared field by field, so the common case (once per message) builds no string.
    if (replicaGuid === this.commonGuid && replId === this.commonReplId) this.others.delete(triple);
    else this.others.set(triple, `${replicaGuid}/${replId}`);
  }

  get(triple: string): { replicaGuid: string; replId: number } {
    const replica = this.others.get(triple);
    if (replica === undefined) return { replicaGuid: this.commonGuid ?? '', replId: this.commonReplId };
    const at = replica.indexOf('/');
    return { replicaGuid: replica.slice(0, at), replId: Number(replica.slice(at + 1)) };
  }

  /** An independent copy (cheap: the common replica plus the usually empty exceptions). */
  copy(): Replicas {
    const copy = new Replicas();
    copy.commonGuid = this.commonGuid;
    copy.commonReplId = this.commonReplId;
    for (const [triple, replica] of this.others) copy.others.set(triple, replica);
    return copy;
  }

  delete(triple: string): void {
    this.others.delete(triple);
  }
}
