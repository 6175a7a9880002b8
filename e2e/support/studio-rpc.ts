/**
 * One Studio API call straight to a browser-mode server, over its WebSocket with the token from
 * its link: what the server itself holds (a job's validated params), not what the page shows.
 */
import { WebSocket } from 'ws';

export async function callStudio(url: string, method: string, args: unknown[] = []): Promise<unknown> {
  const link = new URL(url);
  const token = new URLSearchParams(link.hash.slice(1)).get('token') ?? '';
  const ws = new WebSocket(`ws://${link.host}/api?token=${encodeURIComponent(token)}`);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return await new Promise((resolve, reject) => {
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
        if (message.id !== 1) return;
        if (message.ok) resolve(message.result);
        else reject(new Error(message.error?.message ?? 'call failed'));
      });
      ws.send(JSON.stringify({ id: 1, method, args }));
    });
  } finally {
    ws.close();
  }
}
