/**
 * `cbm timeline MEASURE [--at T]`: a measure's status and its dated events, past and upcoming.
 */
import type { Command } from '../command.js';
import { keyOption, shortTime, stringOption } from '../command.js';
import { EXIT_OK } from '../errors.js';

export const timelineCommand: Command = {
  name: 'timeline',
  usage: 'timeline MEASURE [--at T]',
  summary: "a measure's status, reviews, renewals, withdrawals and sunset",
  options: { at: { type: 'string' }, key: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const measure = ctx.positionals[0]!;
    const at = stringOption(ctx.values, 'at');
    const client = ctx.client(await keyOption(ctx, 'key'));
    const t = await client.timeline(measure, at);
    ctx.out.result(t);
    const out = ctx.out;
    out.line(`${t.id}: ${t.title}`);
    out.line(`  status         ${t.status} (as of ${shortTime(t.at)}, log size ${t.treeSize})`);
    out.line(`  rule set       ${t.ruleSet.id} ${t.ruleSet.version}`);
    out.line(`  parties        ${t.parties.join(', ')}`);
    if (t.activeParties.length !== t.parties.length) {
      out.line(`  still active   ${t.activeParties.join(', ') || 'none'}`);
    }
    out.line(`  adopted        ${shortTime(t.adoptedAt)}; in force ${shortTime(t.inForceAt)}`);
    out.line(`  sunset         ${shortTime(t.sunsetAt)} (renewal: ${t.renewal})`);
    out.line(`  next review    ${shortTime(t.nextReviewDue)}`);
    if (t.endedAt !== null) out.line(`  ended          ${shortTime(t.endedAt)}`);
    out.line('');
    out.line('Events:');
    for (const e of t.events) {
      const when = e.upcoming ? 'upcoming' : 'done    ';
      const who = e.party === undefined ? '' : ` ${e.party}`;
      out.line(`  ${shortTime(e.at)}  ${when}  ${e.kind}${who}: ${e.detail}`);
    }
    return EXIT_OK;
  },
};
