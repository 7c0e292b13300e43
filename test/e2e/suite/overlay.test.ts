// The attention overlay in a real VS Code host, on a ~31,000-token document (six license texts): it opens beside the
// editor, switches mode, layer and head through its own controls, follows the editor both ways, marks itself stale
// on an edit, and its HTML is locked down. Controls and clicks go through the webview's own event handlers
// (longformerLens.overlay.simulate dispatches the DOM events a user's click makes); what the webview drew comes back
// as its 'rendered' and 'scrolled' reports. The switching times are printed, not asserted (timing claims go to bench/).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HeatChoice } from '../../../src/extension/commands/attention';
import type { HeatReport } from '../../../src/extension/decorations/attention-heat';
import type { FromWebview, OverlaySimulation } from '../../../src/extension/overlay/messages';
import type { OverlayReport } from '../../../src/extension/overlay/panel';
import type { AttentionResult } from '../../../src/worker/protocol';

type Rendered = Extract<FromWebview, { type: 'rendered' }>;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set; run the suite through scripts/e2e/run.sh`);
  return value;
}

function simulate(action: OverlaySimulation, kind: FromWebview['type']): Thenable<FromWebview | undefined> {
  return vscode.commands.executeCommand<FromWebview | undefined>('longformerLens.overlay.simulate', action, kind);
}

function heatReport(): Thenable<HeatReport | undefined> {
  return vscode.commands.executeCommand<HeatReport | undefined>('longformerLens.heat.report');
}

function chooseHeat(choice?: HeatChoice): Thenable<AttentionResult | undefined> {
  return vscode.commands.executeCommand<AttentionResult | undefined>('longformerLens.chooseHeat', choice);
}

/** How many requests of each method the extension has sent its engine worker. */
async function workerRequests(): Promise<number> {
  const counts = await vscode.commands.executeCommand<Record<string, number>>('longformerLens.worker.requestCounts');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function report(): Thenable<OverlayReport | undefined> {
  return vscode.commands.executeCommand<OverlayReport | undefined>('longformerLens.overlay.report');
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Sets a control the way a user does and waits until the webview has drawn a map for the new selection. */
async function choose(control: 'mode' | 'layer' | 'head', value: string): Promise<{ rendered: Rendered; ms: number }> {
  const started = Date.now();
  const before = (await report())?.rendered.at(-1)?.selection;
  const expected = { ...before, [control]: control === 'mode' || value === 'mean' ? value : Number(value) };
  void simulate({ type: 'simulate', control, value }, 'rendered');
  const rendered = await waitFor(
    `the overlay to draw ${control} = ${value}`,
    async () => {
      const last = (await report())?.rendered.at(-1);
      const selection = last?.selection;
      return selection !== undefined &&
        selection.mode === expected.mode &&
        selection.layer === expected.layer &&
        selection.head === expected.head
        ? last
        : undefined;
    },
    60000,
    5,
  );
  return { rendered, ms: Date.now() - started };
}

describe('Attention overlay', function () {
  let editor: vscode.TextEditor;
  let map: AttentionResult;

  before(async () => {
    await vscode.workspace.getConfiguration('longformerLens').update('modelPath', env('LENS_E2E_CLS'), vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('longformerLens').update('provider', 'cpu', vscode.ConfigurationTarget.Global);
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_LONG_DOC'))));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens beside the editor on a long document and draws the default map', async () => {
    const started = Date.now();
    const opened = await vscode.commands.executeCommand<AttentionResult | undefined>('longformerLens.showOverlay');
    assert.ok(opened, 'a map came back');
    map = opened;
    assert.ok(map.scores.length > 30000, `the document has ${map.scores.length} tokens`);
    assert.ok(map.scores instanceof Float32Array && map.starts instanceof Uint32Array);
    assert.deepEqual([map.mode, map.layer, map.head], ['global', 'mean', 'mean']);
    const drawn = await waitFor('the first drawing', async () => (await report())?.rendered.at(-1));
    console.log(
      `    overlay: ${map.scores.length} tokens, ${drawn.rows} rows; first map computed and drawn in ${Date.now() - started} ms ` +
        `(webview shading + drawing ${drawn.ms.toFixed(1)} ms)`,
    );
    const state = await report();
    assert.equal(state?.visible, true);
  });

  it('is locked down: a CSP with a nonce, scripts and styles only from media/', async () => {
    const state = (await report())!;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(state.html)?.[1];
    assert.ok(csp, 'the HTML has a CSP');
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce !== undefined && nonce.length >= 16, 'scripts need a nonce');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    for (const match of state.html.matchAll(/<(script|link)\b[^>]*(?:src|href)="([^"]+)"/g)) {
      assert.match(match[2]!, /\/media\/overlay\.(js|css)$/, `${match[1]} loads from media/`);
    }
    assert.equal(state.localResourceRoots.length, 1);
    assert.match(state.localResourceRoots[0]!, /\/media$/);
    assert.ok(!state.html.includes('GNU GENERAL PUBLIC LICENSE'), 'the document text is not in the HTML');
  });

  it('switches mode, layer and head from its controls; a layer or head of a computed mode comes without the engine', async () => {
    const beforeMode = await workerRequests();
    const received = await choose('mode', 'received');
    assert.equal(received.rendered.selection.mode, 'received');
    assert.equal(await workerRequests(), beforeMode + 1, 'a new mode is one engine request (every layer and head)');
    const layer = await choose('layer', '1');
    assert.deepEqual([layer.rendered.selection.layer, layer.rendered.selection.head], [1, 'mean']);
    const head = await choose('head', '2');
    assert.deepEqual([head.rendered.selection.layer, head.rendered.selection.head], [1, 2]);
    assert.equal(await workerRequests(), beforeMode + 1, 'layer 1 and head 2, never drawn before, came without the engine');
    // Back to maps drawn before: the webview keeps them, so no engine run and no round trip for the data.
    const backHead = await choose('head', 'mean');
    const backLayer = await choose('layer', 'mean');
    assert.deepEqual([backLayer.rendered.selection.layer, backLayer.rendered.selection.head], ['mean', 'mean']);
    console.log(
      `    switching on ${map.scores.length} tokens (round trip host -> webview -> host): ` +
        `new mode (engine, every layer and head): ${received.ms} ms; ` +
        `new layer/head (derived from the cube): layer ${layer.ms} ms, head ${head.ms} ms; ` +
        `seen before: head ${backHead.ms} ms, layer ${backLayer.ms} ms; webview drawing ${backLayer.rendered.ms.toFixed(1)} ms`,
    );
  });

  it('switches layer and head many times with no engine request, each drawn', async () => {
    const before = await workerRequests();
    const steps: [control: 'layer' | 'head', value: string][] = [
      ['layer', '0'],
      ['head', '1'],
      ['layer', '1'],
      ['head', '3'],
      ['layer', 'mean'],
      ['head', '0'],
      ['layer', '0'],
      ['head', 'mean'],
      ['layer', 'mean'],
    ];
    const times: string[] = [];
    const inWebview: number[] = [];
    for (const [control, value] of steps) {
      const { rendered, ms } = await choose(control, value);
      assert.equal(rendered.selection.mode, 'received');
      assert.equal(String(rendered.selection[control]), value);
      assert.ok(rendered.sinceRequestMs !== undefined, 'the webview timed the switch');
      inWebview.push(rendered.sinceRequestMs);
      times.push(
        `${control} ${value}: ${rendered.sinceRequestMs.toFixed(0)} ms (drawing ${rendered.ms.toFixed(1)} ms; ${ms} ms as this suite saw it)`,
      );
    }
    assert.equal(await workerRequests(), before, 'no switch of layer or head asked the engine');
    inWebview.sort((a, b) => a - b);
    console.log(
      `    layer/head switches on ${map.scores.length} tokens, control change to drawn panel (in the webview, host round trip ` +
        `included): median ${inWebview[Math.floor(inWebview.length / 2)]!.toFixed(0)} ms, max ${inWebview.at(-1)!.toFixed(0)} ms; ${times.join('; ')}`,
    );
  });

  it('reveals a clicked token in the editor', async () => {
    const token = Math.floor(map.scores.length * 0.7);
    await simulate({ type: 'simulate', control: 'click', token }, 'reveal');
    await waitFor('the editor selection to move', () => {
      const selection = vscode.window.visibleTextEditors.find((candidate) => candidate.document === editor.document)?.selection;
      if (selection === undefined) return undefined;
      const document = editor.document;
      return document.offsetAt(selection.start) === map.starts[token] && document.offsetAt(selection.end) === map.ends[token]
        ? true
        : undefined;
    });
  });

  it('scrolls to the editor cursor', async () => {
    const token = Math.floor(map.scores.length * 0.25);
    const position = editor.document.positionAt(map.starts[token]! + 1);
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    shown.selection = new vscode.Selection(position, position);
    const scrolled = await waitFor('the overlay to scroll to the cursor', async () => {
      const last = (await report())?.scrolled;
      return last?.cursorToken === token ? last : undefined;
    });
    assert.ok(scrolled.firstRow > 100, `the overlay scrolled down to row ${scrolled.firstRow}`);
  });

  it("shows one token's attention: its window and the global tokens", async () => {
    const { rendered } = await choose('mode', 'token');
    assert.equal(rendered.selection.mode, 'token');
    const state = await report();
    assert.equal(state?.selection.mode, 'token');
    assert.ok(state?.selection.at !== undefined, 'the source is the cursor');
  });

  it('marks the map stale on an edit and draws it again on refresh', async () => {
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    await shown.edit((edit) => edit.insert(new vscode.Position(0, 0), 'Draft. '));
    assert.equal((await report())?.stale, 'The document changed since this map was computed.');
    const rendered = (await simulate({ type: 'simulate', control: 'refresh' }, 'rendered')) as Rendered | undefined;
    assert.ok(rendered, 'Refresh drew a new map');
    assert.equal((await report())?.stale, undefined);
    await vscode.commands.executeCommand('undo');
    assert.equal((await report())?.stale, 'The document changed since this map was computed.');
  });

  it('shares its map with the heat in the editor', async () => {
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    await simulate({ type: 'simulate', control: 'refresh' }, 'rendered');
    const before = await vscode.commands.executeCommand<boolean>('longformerLens.toggleAttentionHeat');
    assert.equal(before, true, 'the heat shows the map the overlay holds');
    assert.equal(await vscode.commands.executeCommand<boolean>('longformerLens.toggleAttentionHeat'), false);
  });

  it('gives the editor heat a legend, and a layer, head, cut-off and scale choice shared with the overlay', async () => {
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    await choose('mode', 'global');
    assert.equal(await vscode.commands.executeCommand<boolean>('longformerLens.toggleAttentionHeat'), true);
    const first = (await heatReport())!;
    assert.ok(first.shown && first.shaded > 0 && first.stale === undefined);
    assert.equal(first.legend?.text, '$(flame) global · L mean · H mean · top 10 %');
    assert.match(
      first.legend.tooltip,
      /^Attention heat: From the global tokens · mean of layers · mean of heads\n[\d,]+ of [\d,]+ tokens shaded \(top 10 % of those with attention, linear scale\)/,
    );
    assert.match(first.legend.tooltip, /\nlevel 8: [\d.]+ % of max to 100 % of max/);

    // A layer and head picked for the editor: the overlay's controls follow and it draws that map, from the cube.
    const requests = await workerRequests();
    const picked = await chooseHeat({ layer: 1, head: 0 });
    assert.deepEqual([picked?.layer, picked?.head], [1, 0]);
    const drawn = await waitFor('the overlay to draw layer 1, head 0', async () => {
      const last = (await report())?.rendered.at(-1)?.selection;
      return last?.layer === 1 && last.head === 0 ? last : undefined;
    });
    assert.equal(drawn.mode, 'global');
    assert.equal((await heatReport())?.legend?.text, '$(flame) global · L 1 · H 0 · top 10 %');
    assert.equal(await workerRequests(), requests, "the heat picker's layer and head came without the engine");

    // The cut-off: fewer tokens shaded; the overlay adopts it (its next drawing does not undo it).
    await chooseHeat({ top: 0.01, scale: 'log' });
    const narrow = (await heatReport())!;
    assert.deepEqual(narrow.options, { scale: 'log', top: 0.01 });
    assert.ok(narrow.shaded > 0 && narrow.shaded < first.shaded / 5, `top 1 % shades ${narrow.shaded} tokens, top 10 % ${first.shaded}`);
    await choose('head', 'mean');
    assert.deepEqual((await heatReport())?.options, { scale: 'log', top: 0.01 });
    assert.equal((await heatReport())?.legend?.text, '$(flame) global · L 1 · H mean · top 1 %');

    // One token's attention: the source token (at the cursor) is outlined in the editor.
    const token = Math.floor(map.scores.length * 0.5);
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    shown.selection = new vscode.Selection(editor.document.positionAt(map.starts[token]!), editor.document.positionAt(map.starts[token]!));
    const tokenMap = await chooseHeat({ mode: 'token', top: 1, scale: 'linear' });
    assert.equal(tokenMap?.token, token);
    const withSource = (await heatReport())!;
    assert.deepEqual(withSource.source, { start: map.starts[token], end: map.ends[token] });
    assert.match(withSource.legend!.tooltip, /\nSource token \(outlined\): "/);
    await chooseHeat({ mode: 'global', layer: 'mean', top: 0.1 });
  });

  it('clears the editor heat on an edit and says so, and computes it again from the legend', async () => {
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One });
    assert.ok((await heatReport())!.shaded > 0);
    await shown.edit((edit) => edit.insert(new vscode.Position(0, 0), 'Draft. '));
    const cleared = (await heatReport())!;
    assert.equal(cleared.shaded, 0);
    assert.equal(cleared.stale, 'The document changed since this map was computed.');
    assert.equal(cleared.legend?.text, '$(flame) Heat cleared');
    await vscode.commands.executeCommand('undo');
    assert.equal((await heatReport())?.shaded, 0, 'undoing the edit does not bring back a map of another version');
    assert.ok(await chooseHeat(), "the legend's click computes the map again");
    const again = (await heatReport())!;
    assert.ok(again.shaded > 0 && again.stale === undefined);
    assert.equal(await vscode.commands.executeCommand<boolean>('longformerLens.toggleAttentionHeat'), false);
    assert.equal((await heatReport())?.legend, undefined, 'the legend goes with the heat');
  });

  it('clears the editor heat when the file changes on disk', async () => {
    const file = path.join(path.dirname(env('LENS_E2E_LONG_DOC')), 'heat-on-disk.txt');
    fs.writeFileSync(file, fs.readFileSync(env('LENS_E2E_DOC'), 'utf8'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    assert.ok(await vscode.commands.executeCommand<AttentionResult>('longformerLens.showAttention', 'global'));
    assert.ok((await heatReport())!.shaded > 0);
    fs.appendFileSync(file, '\nA line another program added.\n');
    const cleared = await waitFor(
      'VS Code to reload the file and the heat to clear',
      async () => {
        const heat = await heatReport();
        return heat?.stale !== undefined ? heat : undefined;
      },
      30000,
    );
    assert.equal(cleared.shaded, 0);
    assert.equal(cleared.legend?.text, '$(flame) Heat cleared');
  });
});
