// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The last replica (GUID and id) seen per triple of one source. A sender process usually
 * serves one mailbox, so its triples share one replica: that one is stored once, as the
 * source's common replica, and only the triples that differ from it get an entry (in a Map made
 * when the first one does).
 */
export class Replicas {
  private commonGuid: string | undefined;
  private commonReplId = 0;
  /** Triple id -> `guid/replId`, for the triples whose replica is not the common one. */
  private others: Map<number, string> | undefined;

  set(triple: number, replicaGuid: string, replId: number): void {
    if (this.commonGuid === undefined) {
      this.commonGuid = replicaGuid;
      this.commonReplId = replId;
    }
    // Compared field by field, so the common case (once per message) builds no string.
    if (replicaGuid === this.commonGuid && replId === this.commonReplId) this.delete(triple);
    else (this.others ??= new Map()).set(triple, `${replicaGuid}/${replId}`);
  }

  get(triple: number): { replicaGuid: string; replId: number } {
    const replica = this.others?.get(triple);
    if (replica === undefined) return { replicaGuid: this.commonGuid ?? '', replId: this.commonReplId };
    const at = replica.indexOf('/');
    return { replicaGuid: replica.slice(0, at), replId: Number(replica.slice(at + 1)) };
  }

  delete(triple: number): void {
    if (this.others?.delete(triple) === true && this.others.size === 0) this.others = undefined;
  }
}
