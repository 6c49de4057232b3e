/**
 * The live dashboard at /ui: one self-contained page (no build step, no external assets). Members are re-read
 * every second, so "last heard" and states are live, measured on the agent's clock (`now` of /v1/members), never
 * the browser's; instances are re-read whenever the /v1/watch stream reports a change, and show their member's
 * state, so an instance of a suspect member reads suspect before it goes. A filter box narrows both tables.
 */
import type { FastifyInstance } from 'fastify'

/** How often the page re-reads /v1/members, in ms: "last heard" is never more than this stale. */
export const MEMBER_REFRESH_MS = 1_000

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gossip-registry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
 h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.8rem; }
 table { border-collapse: collapse; min-width: 40rem; } th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #ddd; }
 th { background: #f4f4f4; } code { font-size: .85rem; }
 .alive, .passing { color: #137333; } .suspect, .warning { color: #b06000; } .dead, .critical { color: #c5221f; } .maintenance { color: #5f6368; }
 #live { font-size: .8rem; color: #666; } #filter { margin-top: 1rem; padding: .3rem .5rem; width: 20rem; }
</style></head>
<body>
<h1>gossip-registry <span id="self"></span></h1>
<div id="live">connecting...</div>
<input id="filter" type="search" placeholder="filter: service, address, tag, name, peer, state..." aria-label="filter">
<h2>Members</h2>
<table id="members"><thead><tr><th>name</th><th>peer</th><th>address</th><th>state</th><th>last heard</th><th>instances</th></tr></thead><tbody></tbody></table>
<h2>Services</h2>
<table id="instances"><thead><tr><th>service</th><th>version</th><th>address</th><th>health</th><th>member</th><th>tags</th><th>owner</th></tr></thead><tbody></tbody></table>
<script>
const $ = (s) => document.querySelector(s)
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]))
const get = (path) => fetch(path).then((r) => r.json())
let members = []
let instances = []
// Offset of the agent's clock from ours, from the last /v1/members answer: ages are computed on the agent's clock.
let skew = 0
async function loadMembers () {
  const sent = Date.now()
  const m = await get('v1/members')
  skew = m.now - (sent + Date.now()) / 2
  members = m.members
  render()
}
async function loadInstances () {
  const s = await get('v1/services')
  const lists = await Promise.all(s.services.map((name) => get('v1/services/' + encodeURIComponent(name) + '/instances?healthy=false')))
  instances = lists.flatMap((l) => l.instances)
  render()
}
// The peer id is in its own column: the address without its /p2p/ suffix is what an operator reads.
const addressOf = (m) => (m.addrs[0] || '').split('/p2p/')[0]
// A member without a name (versions before names) goes by the end of its peer id: the start is the same for all.
const nameOf = (m) => m.name || '\u2026' + m.peerId.slice(-8)
const stateOf = (peerId, fallback) => (members.find((m) => m.peerId === peerId) || { state: fallback }).state
// Beats go to a member's observers only: of another member the agent hears no beats, and an age would read as silence.
function heard (m) {
  if (m.self) return '-'
  if (m.observed === false) return '<span title="this agent is not among its observers: its liveness comes from their alerts">not observed here</span>'
  return Math.max(0, (Date.now() + skew - m.lastSeen) / 1000).toFixed(1) + ' s ago'
}
function render () {
  const words = $('#filter').value.trim().toLowerCase()
  const keep = (text) => words === '' || text.toLowerCase().includes(words)
  const memberRows = members.map((m) => [m, [m.name, m.peerId, addressOf(m), m.state].join(' ')]).filter(([, text]) => keep(text))
  $('#members tbody').innerHTML = memberRows.map(([m]) => '<tr data-peer="' + esc(m.peerId) + '"><td class="name">' + esc(nameOf(m)) + '</td><td><code>' + esc(m.peerId) + '</code>' + (m.self ? ' (this agent)' : '') + '</td><td><code>' + esc(addressOf(m)) + '</code></td><td class="state ' + esc(m.state) + '">' + esc(m.state) + (m.stale ? ' (stale)' : '') + '</td><td class="heard">' + heard(m) + '</td><td>' + m.instances + '</td></tr>').join('') || '<tr><td colspan="6">no members match</td></tr>'
  // In maintenance an instance is published critical; say why it is out instead.
  const shown = (i) => i.maintenance ? 'maintenance' : i.status
  const rows = instances.map((i) => [i, stateOf(i.owner, i.memberState)]).filter(([i, state]) => keep([i.service, i.version, i.address + ':' + i.port, shown(i), state, i.tags.join(' '), i.owner].join(' ')))
  $('#instances tbody').innerHTML = rows.map(([i, state]) => '<tr data-service="' + esc(i.service) + '"><td>' + esc(i.service) + '</td><td>' + esc(i.version) + '</td><td>' + esc(i.address + ':' + i.port) + '</td><td class="' + esc(shown(i)) + '"' + (i.maintenance ? ' title="' + esc(i.maintenance.reason) + '"' : '') + '>' + esc(shown(i)) + (i.maintenance && i.maintenance.reason ? ': ' + esc(i.maintenance.reason) : '') + '</td><td class="member ' + esc(state) + '">' + esc(state) + '</td><td>' + esc(i.tags.join(', ')) + '</td><td><code>' + esc(i.owner.slice(-10)) + '</code></td></tr>').join('') || '<tr><td colspan="7">no instances</td></tr>'
}
let pending
function refresh () { clearTimeout(pending); pending = setTimeout(() => { loadInstances().catch(() => {}); loadMembers().catch(() => {}) }, 100) }
get('v1/self').then((self) => { $('#self').innerHTML = '<code>' + esc(self.peerId) + '</code>' }).catch(() => {})
const events = new EventSource('v1/watch')
events.onopen = () => { $('#live').textContent = 'live: members every second, instances as they change'; refresh() }
events.onerror = () => { $('#live').textContent = 'disconnected, retrying...' }
for (const type of ['up', 'down', 'changed', 'member']) events.addEventListener(type, refresh)
$('#filter').addEventListener('input', render)
setInterval(() => { loadMembers().catch(() => {}) }, ${MEMBER_REFRESH_MS})
refresh()
</script>
</body></html>`

/** Serves the dashboard at /ui (under the prefix the gateway plugin is registered with; the page uses relative URLs). */
export function dashboardRoute (app: FastifyInstance): void {
  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${app.prefix}/ui`))
}
