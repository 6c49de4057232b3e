/**
 * The live dashboard at /ui: one self-contained page (no build step, no external assets) that reads the /v1
 * API and re-reads it whenever the /v1/watch stream reports a change.
 */
import type { FastifyInstance } from 'fastify'

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gossip-registry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
 h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.8rem; }
 table { border-collapse: collapse; min-width: 40rem; } th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #ddd; }
 th { background: #f4f4f4; } code { font-size: .85rem; }
 .alive, .passing { color: #137333; } .suspect, .warning { color: #b06000; } .dead, .critical { color: #c5221f; }
 #live { font-size: .8rem; color: #666; }
</style></head>
<body>
<h1>gossip-registry <span id="self"></span></h1>
<div id="live">connecting...</div>
<h2>Members</h2>
<table id="members"><thead><tr><th>peer</th><th>state</th><th>last heard</th><th>instances</th></tr></thead><tbody></tbody></table>
<h2>Services</h2>
<table id="instances"><thead><tr><th>service</th><th>version</th><th>address</th><th>health</th><th>tags</th><th>owner</th></tr></thead><tbody></tbody></table>
<script>
const $ = (s) => document.querySelector(s)
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]))
let members = []
async function load () {
  const [self, m, s] = await Promise.all([fetch('v1/self').then((r) => r.json()), fetch('v1/members').then((r) => r.json()), fetch('v1/services').then((r) => r.json())])
  $('#self').innerHTML = '<code>' + esc(self.peerId) + '</code>'
  members = m.members
  const lists = await Promise.all(s.services.map((name) => fetch('v1/services/' + encodeURIComponent(name) + '/instances?healthy=false').then((r) => r.json())))
  const rows = lists.flatMap((l) => l.instances).map((i) => '<tr data-service="' + esc(i.service) + '"><td>' + esc(i.service) + '</td><td>' + esc(i.version) + '</td><td>' + esc(i.address + ':' + i.port) + '</td><td class="' + esc(i.status) + '">' + esc(i.status) + '</td><td>' + esc(i.tags.join(', ')) + '</td><td><code>' + esc(i.owner.slice(-10)) + '</code></td></tr>')
  $('#instances tbody').innerHTML = rows.join('') || '<tr><td colspan="6">no instances</td></tr>'
  renderMembers()
}
function renderMembers () {
  const now = Date.now()
  $('#members tbody').innerHTML = members.map((m) => '<tr><td><code>' + esc(m.peerId) + '</code>' + (m.self ? ' (this agent)' : '') + '</td><td class="' + esc(m.state) + '">' + esc(m.state) + (m.stale ? ' (stale)' : '') + '</td><td>' + (m.self ? '-' : ((now - m.lastSeen) / 1000).toFixed(1) + ' s ago') + '</td><td>' + m.instances + '</td></tr>').join('')
}
let pending
function refresh () { clearTimeout(pending); pending = setTimeout(() => load().catch(() => {}), 100) }
const events = new EventSource('v1/watch')
events.onopen = () => { $('#live').textContent = 'live: updates stream in as they happen'; refresh() }
events.onerror = () => { $('#live').textContent = 'disconnected, retrying...' }
for (const type of ['up', 'down', 'changed', 'member']) events.addEventListener(type, refresh)
setInterval(renderMembers, 1000)
load().catch(() => {})
</script>
</body></html>`

/** Serves the dashboard at /ui. */
export function dashboardRoute (app: FastifyInstance): void {
  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui'))
}
