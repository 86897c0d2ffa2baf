// SPDX-License-Identifier: GPL-3.0-or-later
// Every triple (backend, username, vuser) the table refers to, as a number: three string ids
// found by one hash probe, and no string or object per triple. A triple stays while something
// refers to it (a source holding it, or a message being applied) and its number is then reused.
import type { Triple } from '../protocol/triple.js';
import { CountColumn, Ids, Int32Column } from './columns.js';
import { hashIds, IdSlots } from './id-slots.js';
import type { StringPool } from './string-pool.js';

export class Triples {
  private readonly backends = new Int32Column();
  private readonly usernames = new Int32Column();
  private readonly vusers = new Int32Column();
  private readonly refs = new CountColumn();
  private readonly ids = new Ids();
  private readonly slots = new IdSlots((id) => hashIds(this.backendId(id), this.usernameId(id), this.vuserId(id)));

  constructor(readonly strings: StringPool) {}

  /** The triple's id, or -1 when no one refers to it. */
  find(backend: string, username: string, vuser: string): number {
    const b = this.strings.find(backend);
    const u = b < 0 ? -1 : this.strings.find(username);
    const v = u < 0 ? -1 : this.strings.find(vuser);
    return v < 0 ? -1 : this.probe(b, u, v);
  }

  /** The triple's id, added if new, with one more reference. */
  retain(backend: string, username: string, vuser: string): number {
    let id = this.find(backend, username, vuser);
    if (id < 0) id = this.add(this.strings.retain(backend), this.strings.retain(username), this.strings.retain(vuser));
    this.refs.set(id, this.refs.get(id) + 1);
    return id;
  }

  /** Whether triple `id` is (backend, username, vuser): compares the strings, no lookup. */
  is(id: number, backend: string, username: string, vuser: string): boolean {
    const { strings } = this;
    return strings.is(this.usernameId(id), username) && strings.is(this.vuserId(id), vuser) && strings.is(this.backendId(id), backend);
  }

  /** One more reference to a triple already referred to. */
  retainId(id: number): void {
    this.refs.set(id, this.refs.get(id) + 1);
  }

  /** Drops one reference; the triple (and its strings' references) go with its last one. */
  release(id: number): void {
    const refs = this.refs.get(id) - 1;
    this.refs.set(id, refs);
    if (refs > 0) return;
    this.slots.remove(id);
    this.strings.release(this.backendId(id));
    this.strings.release(this.usernameId(id));
    this.strings.release(this.vuserId(id));
    this.ids.give(id);
  }

  backendId(id: number): number {
    return this.backends.get(id);
  }

  usernameId(id: number): number {
    return this.usernames.get(id);
  }

  vuserId(id: number): number {
    return this.vusers.get(id);
  }

  backend(id: number): string {
    return this.strings.text(this.backendId(id));
  }

  username(id: number): string {
    return this.strings.text(this.usernameId(id));
  }

  vuser(id: number): string {
    return this.strings.text(this.vuserId(id));
  }

  fields(id: number): Triple {
    return { backend: this.backend(id), username: this.username(id), vuser: this.vuser(id) };
  }

  /** A new triple of the strings `b`, `u`, `v` (whose references it takes over), unreferenced. */
  private add(b: number, u: number, v: number): number {
    const id = this.ids.take();
    this.backends.ensure(id);
    this.usernames.ensure(id);
    this.vusers.ensure(id);
    this.refs.ensure(id);
    this.backends.set(id, b);
    this.usernames.set(id, u);
    this.vusers.set(id, v);
    this.refs.set(id, 0);
    this.slots.add(id, hashIds(b, u, v));
    return id;
  }

  private probe(b: number, u: number, v: number): number {
    for (let slot = this.slots.first(hashIds(b, u, v)); ; slot = this.slots.next(slot)) {
      const id = this.slots.at(slot);
      if (id < 0 || (this.backendId(id) === b && this.usernameId(id) === u && this.vuserId(id) === v)) return id;
    }
  }
}
