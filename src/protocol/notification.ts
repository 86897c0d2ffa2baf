// SPDX-License-Identifier: GPL-3.0-or-later
// The new-mail notification's fields (docs/notifications.md): one shape for the notifier that
// encodes it, the change stream that shows it and the addon's subscriber that receives it.

/** A new message for one registered username. */
export interface Notification {
  /** The backend the user registered with ('SOGo'). */
  backend: string;
  /** The registered username (the frame's topic). */
  username: string;
  /** The user name within the backend. */
  vuser: string;
  /** The folder that received the message ('INBOX'). */
  folder: string;
  /** The message's id in that folder (an IMAP uid). */
  messageId: string;
  /** The folder's IMAP UIDVALIDITY, 0 when unknown. */
  uidValidity: number;
  /** The message's From; absent (or empty) when unknown, and then not sent. */
  sender?: string;
  /** The message's Subject; absent (or empty) when unknown, and then not sent. */
  subject?: string;
}
