import type { WebhookFormat } from '../model/campaign-schema.js';

/** The chat formats: every webhook format but the JSON event stream. */
export type ChatFormat = Exclude<WebhookFormat, 'json'>;

/** Discord refuses a message whose `content` is longer than this. */
export const DISCORD_CONTENT_LIMIT = 2000;

/** One status update as a chat message: a title and the update's line. */
export interface ChatMessage {
  /** e.g. `mysql-5.1.58 wave 1`. */
  readonly title: string;
  readonly text: string;
  /** Something needs a person (or the run is gone, or the wave halted): shown as a warning. */
  readonly urgent: boolean;
}

/**
 * The body a chat's incoming webhook accepts for one update:
 *
 * - Slack and Mattermost: `{text}` (Mattermost's incoming webhooks take Slack's format).
 * - Discord: `{content}`, cut to Discord's 2000 characters.
 * - Microsoft Teams: an Adaptive Card in a `message` with one attachment. Teams' Workflows
 *   webhooks ("When a Teams webhook request is received", the replacement of the Office 365
 *   connectors Microsoft is retiring) accept only this shape, and the old connectors accept it
 *   too; a MessageCard works only with the retiring connectors.
 */
export function chatPayload(format: ChatFormat, message: ChatMessage): unknown {
  switch (format) {
    case 'slack':
    case 'mattermost':
      return { text: message.text };
    case 'discord':
      return {
        content:
          message.text.length <= DISCORD_CONTENT_LIMIT
            ? message.text
            : `${message.text.slice(0, DISCORD_CONTENT_LIMIT - 1)}…`,
      };
    case 'teams':
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: message.title,
                  weight: 'Bolder',
                  size: 'Medium',
                  wrap: true,
                  ...(message.urgent ? { color: 'Attention' } : {}),
                },
                { type: 'TextBlock', text: message.text, wrap: true },
              ],
            },
          },
        ],
      };
  }
}
