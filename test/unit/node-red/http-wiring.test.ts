import assert from 'node:assert/strict';
import { answerModeFor, answerModes, type FlowNodeConfig } from '../../../nodes/lib/node-red/http-wiring';
import { checkListenPath, samePath } from '../../../nodes/lib/node-red/push-listener';

const httpIn = (id: string, wires: string[], url = '/thingspace/sms'): FlowNodeConfig => ({ id, type: 'http in', url, method: 'post', wires: [wires] });
const node = (id: string, type: string, wires: string[] = []): FlowNodeConfig => ({ id, type, wires: [wires] });
const KEY = 'POST /thingspace/sms';

describe('who answers an http in request (http-wiring)', () => {
  it('leaves every answer to an http response beside the node', () => {
    const modes = answerModes([httpIn('in', ['q', 'resp']), node('q', 'sms-queue-in', ['dbg']), node('resp', 'http response'), node('dbg', 'debug')], 'q');
    assert.equal(modes.get(KEY), 'none');
  });

  it("counts an http response behind other nodes on the http in's other branch as beside", () => {
    const modes = answerModes([httpIn('in', ['q', 'fn']), node('fn', 'function', ['resp']), node('q', 'sms-queue-in'), node('resp', 'http response')], 'q');
    assert.equal(modes.get(KEY), 'none');
  });

  it('answers what it does not emit when an http response is downstream (series)', () => {
    const modes = answerModes([httpIn('in', ['q']), node('q', 'sms-queue-in', ['fn']), node('fn', 'function', ['resp']), node('resp', 'http response')], 'q');
    assert.equal(modes.get(KEY), 'unsent');
  });

  it('does not call the node\'s own downstream response "beside"', () => {
    const modes = answerModes([httpIn('in', ['fn']), node('fn', 'change', ['q']), node('q', 'sms-queue-in', ['resp']), node('resp', 'http response')], 'q');
    assert.equal(modes.get(KEY), 'unsent');
  });

  it('answers everything without any http response', () => {
    const modes = answerModes([httpIn('in', ['q']), node('q', 'sms-queue-in', ['dbg']), node('dbg', 'debug')], 'q');
    assert.equal(modes.get(KEY), 'all');
  });

  it('follows link out / link in nodes', () => {
    const flow = [
      httpIn('in', ['lo']),
      { id: 'lo', type: 'link out', links: ['li'], wires: [] },
      node('li', 'link in', ['q']),
      node('q', 'sms-queue-in', ['lo2']),
      { id: 'lo2', type: 'link out', links: ['li2'], wires: [] },
      node('li2', 'link in', ['resp']),
      node('resp', 'http response'),
    ];
    assert.equal(answerModes(flow, 'q').get(KEY), 'unsent');
  });

  it('ignores http in nodes that do not feed the node, and disabled nodes', () => {
    const flow = [httpIn('other', ['resp'], '/else'), httpIn('in', ['q', 'resp']), node('q', 'sms-queue-in'), { ...node('resp', 'http response'), d: true }];
    const modes = answerModes(flow, 'q');
    assert.equal(modes.has('POST /else'), false);
    assert.equal(modes.get(KEY), 'all', 'the disabled http response answers nothing');
  });

  it('leaves a route out when two http in nodes on it are wired differently', () => {
    const flow = [httpIn('a', ['q', 'resp']), httpIn('b', ['q']), node('q', 'sms-queue-in'), node('resp', 'http response')];
    assert.equal(answerModes(flow, 'q').has(KEY), false);
  });

  it('reads the route from express\'s req.route and falls back to "unsent" for an unknown one', () => {
    const modes = answerModes([httpIn('in', ['q']), node('q', 'sms-queue-in')], 'q');
    assert.equal(answerModeFor(modes, { req: { method: 'POST', route: { path: '/thingspace/sms' } } }), 'all');
    assert.equal(answerModeFor(modes, { req: { method: 'post', route: { path: 'thingspace/sms' } } }), 'all', 'method and path as express gives them');
    assert.equal(answerModeFor(modes, { req: { method: 'POST', route: { path: '/other' } } }), 'unsent');
    assert.equal(answerModeFor(modes, { req: { headers: {} } }), 'unsent', 'no route: not from an http in node');
  });
});

describe('the listen path (checkListenPath)', () => {
  it('takes empty as no listener and plain paths, adding the leading slash', () => {
    assert.equal(checkListenPath(''), '');
    assert.equal(checkListenPath(undefined), '');
    assert.equal(checkListenPath(' /thingspace/sms '), '/thingspace/sms');
    assert.equal(checkListenPath('thingspace/sms-in_1.v2'), '/thingspace/sms-in_1.v2');
    assert.equal(checkListenPath('/thingspace/sms/'), '/thingspace/sms', 'without the trailing slash express ignores');
  });

  it('compares paths as express matches them: any case, with or without a trailing slash', () => {
    assert.ok(samePath('/ThingSpace/SMS/', '/thingspace/sms'));
    assert.ok(samePath('/thingspace/sms', '/thingspace/sms'));
    assert.ok(!samePath('/thingspace/sms2', '/thingspace/sms'));
    assert.ok(!samePath(undefined, '/thingspace/sms'));
  });

  it('refuses express patterns and odd characters with BAD_CONFIG', () => {
    for (const bad of ['/sms/:id', '/sms/*', '/sms?x=1', '/a b', '/(x)', '//', `/${'a'.repeat(200)}`]) {
      assert.throws(
        () => checkListenPath(bad),
        (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /Invalid listen path/.test(err.message),
        bad,
      );
    }
  });
});
