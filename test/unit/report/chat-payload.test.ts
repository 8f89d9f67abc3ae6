import { describe, expect, it } from 'vitest';
import { attentionChanges } from '../../../src/report/attention.js';
import { chatPayload, DISCORD_CONTENT_LIMIT } from '../../../src/report/chat-payload.js';

describe('chat payloads', () => {
  it('cut a Discord message to the 2000 characters Discord accepts', () => {
    const long = 'x'.repeat(DISCORD_CONTENT_LIMIT + 50);
    const { content } = chatPayload('discord', { title: 't', text: long, urgent: false }) as {
      content: string;
    };
    expect(content).toHaveLength(DISCORD_CONTENT_LIMIT);
    expect(content.endsWith('…')).toBe(true);
  });

  it('give Slack and Mattermost the same {text}', () => {
    const message = { title: 'c wave 1', text: 'wave 1 in progress', urgent: true };
    expect(chatPayload('slack', message)).toEqual({ text: 'wave 1 in progress' });
    expect(chatPayload('mattermost', message)).toEqual(chatPayload('slack', message));
  });
});

describe('attention changes', () => {
  const db1 = { key: 'dbwave/c/server/db1', campaign: 'c', wave: 1, server: 'db1', reason: 'x' };
  const run = { key: 'dbwave/c/run', campaign: 'c', wave: 1, reason: 'gone' };

  it('raise everything on a process’s first broadcast and resolve nothing it cannot know about', () => {
    expect(attentionChanges(undefined, [db1, run])).toEqual({ raised: [db1, run], resolved: [] });
  });

  it('raise only what is new and resolve what is no longer there', () => {
    expect(attentionChanges([db1], [db1, run])).toEqual({ raised: [run], resolved: [] });
    expect(attentionChanges([db1, run], [run])).toEqual({ raised: [], resolved: [db1] });
  });
});
