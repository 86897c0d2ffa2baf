// SPDX-License-Identifier: GPL-3.0-or-later
// The error a non-success return code of the C library becomes.

export class MapistoreError extends Error {
  /** The return code's name, as in the C header: 'MAPISTORE_ERR_INVALID_PARAMETER'. */
  readonly code: string;
  /** The return code itself (enum mapistore_error): 6 for MAPISTORE_ERR_INVALID_PARAMETER. */
  readonly errno: number;

  constructor(message: string, code: string, errno: number) {
    super(message);
    this.name = 'MapistoreError';
    this.code = code;
    this.errno = errno;
  }
}
