// One use of the Lua calculator app, with the seed's automatic, performance and usage
// events. Slow phones start and render slower, so device-model breakdowns show it.
import { round, type SessionEmitter } from './session-events.ts';

const BUTTONS: Readonly<Record<string, readonly string[]>> = {
  'home.rml': ['btn-equals', 'btn-clear', 'btn-percent', 'btn-memory'],
  'converter.rml': ['btn-swap-units', 'btn-currency', 'btn-equals'],
  'history.rml': ['btn-clear-history', 'btn-export'],
  'settings.rml': ['toggle-dark-mode', 'toggle-haptics'],
  'profile.rml': ['btn-sign-in', 'btn-sync'],
};
const FEATURES: Readonly<Record<string, string>> = {
  'home.rml': 'scientific_mode',
  'converter.rml': 'unit_conversion',
  'history.rml': 'history_export',
  'settings.rml': 'dark_mode',
  'profile.rml': 'cloud_sync',
};
const MEMORY_LIMIT_MB = 128;

export function luaSession(em: SessionEmitter): void {
  const random = em.random;
  const plan = em.planned;
  const device = plan.device;
  const perf = (plan.app.versionPerf[plan.versionIndex] ?? 1) * device.slowness;
  const cold = random.chance(0.6);
  let screen = random.weighted(plan.app.landing);
  let memory = random.logNormal(28, 0.2);

  em.emit('app_start', null, null, { version: plan.version, mosis_version: '1.0.0', cold });
  const startup = round(random.logNormal((cold ? 900 : 320) * perf, 0.35));
  em.wait(startup, 0.1);
  em.emit('perf_startup', null, startup, { duration_ms: startup, cold });
  em.place(screen);
  em.emit('screen_view', screen, null, { screen_name: screen });
  for (let n = 3; n < plan.size - 1; n++) {
    em.wait(9_000);
    const roll = random.next();
    if (roll < 0.28) {
      screen = random.weighted(plan.app.navigation[screen] ?? plan.app.landing);
      em.place(screen);
      em.emit('screen_view', screen, null, { screen_name: screen });
    } else if (roll < 0.58) {
      em.emit('button_click', screen, null, { element_id: random.pick(BUTTONS[screen] ?? ['btn-back']), screen });
    } else if (roll < 0.68) {
      const feature = FEATURES[screen] ?? 'scientific_mode';
      em.emit('feature_used', feature, null, { feature_name: feature, screen });
    } else if (roll < 0.8) {
      const avg = round(random.logNormal(11 * perf, 0.25));
      em.emit('perf_frame', screen, avg, { avg_ms: avg, p95_ms: round(avg * random.logNormal(2.1, 0.25)), screen });
    } else if (roll < 0.88) {
      // History grows memory over a session; the sandbox caps it.
      memory = Math.min(MEMORY_LIMIT_MB - 4, memory * (screen === 'history.rml' ? 1.08 : 1.01));
      const used = round(memory);
      em.emit('perf_memory', screen, used, { used_mb: used, limit_mb: MEMORY_LIMIT_MB });
    } else if (roll < 0.96) {
      em.emit('calculation_done', screen, random.int(1, 40), {
        operation: random.pick(['add', 'multiply', 'divide', 'convert', 'percent']),
      });
    } else {
      em.emit('result_shared', screen, null, { channel: random.pick(['clipboard', 'messages', 'email']) });
    }
  }
  if (plan.crashing) return;
  em.wait(3_000);
  const seconds = Math.round((em.t - plan.start) / 1000);
  em.emit('app_stop', null, seconds, { duration_seconds: seconds });
}
