// Recette navigateur des pages (issue #6) : le vrai serveur (`concerto serve --demo`),
// le Chromium de Debian (rien n'est téléchargé), axe-core sur chaque page visitée,
// un parcours au clavier seul, et des captures d'écran quand CONCERTO_SCREENSHOTS=1.
//
//   cd tests/browser && npm ci && node --test
//
// CONCERTO_BIN : le binaire (par défaut ../../target/debug/concerto).
// CHROMIUM     : le navigateur (par défaut /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const BIN = process.env.CONCERTO_BIN || join(root, 'target', 'debug', 'concerto');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.CONCERTO_SCREENSHOTS === '1';
const SHOTS_DIR = join(root, 'docs', 'screenshots');
const SLUG = 'ia-metropole-demo';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CONTRIBUTION =
  "Un guichet numérique qui explique chaque décision prise avec l'aide d'une IA, avec un agent joignable.";
const JUSTIFICATION = "Retenue : le guichet sera expérimenté dans deux mairies, avec un agent référent.";
const CLOSE_REASON = 'Fin anticipée du débat public (recette navigateur).';

let server; // { child, base, accounts, dataDir, output }
let browser;
/** Every page axe looked at: { name, url, violations }. */
const audits = [];
/** Requests to anything but the server, CSP reports, page errors. */
const outside = [];
const cspErrors = [];
const pageErrors = [];
/** Pages wider than the screen. */
const overflow = [];

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** The server reads every CONCERTO_… variable as a setting: hide the test's own. */
function serverEnv() {
  const env = { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' };
  delete env.CONCERTO_SCREENSHOTS;
  delete env.CONCERTO_BIN;
  delete env.CONCERTO_DATA_DIR;
  // The pages are under test, not the backends: always the embedded default in a fresh
  // directory, even when CI exports the services' URLs (a shared JetStream stream would
  // keep the previous run's closed demo concertation).
  delete env.NATS_URL;
  delete env.DATABASE_URL;
  delete env.CONCERTO_REQUIRE_SERVICES;
  delete env.CONCERTO_NATS_STREAM;
  delete env.CONCERTO_NATS_REPLICAS;
  return env;
}

async function startServer() {
  assert.ok(existsSync(BIN), `binaire introuvable : ${BIN} (lancez cargo build)`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'concerto-browser-data-'));
  const child = spawn(
    BIN,
    ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() },
  );
  let output = '';
  const accounts = {};
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`le serveur n'a pas démarré en 60 s :\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk.toString();
      for (const m of output.matchAll(
        /Compte de démonstration créé — identifiant : (\S+)\s+rôle : (.+?)\s+mot de passe : (\S+)/g,
      )) {
        accounts[m[1]] = { login: m[1], role: m[2], password: m[3] };
      }
      const listening = output.match(/Concerto écoute sur (http:\/\/127\.0\.0\.1:\d+)/);
      if (listening) {
        clearTimeout(timer);
        ok(listening[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { output += c.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`le serveur s'est arrêté (${code}) :\n${output}`)); });
  });
  assert.equal(base, `http://127.0.0.1:${port}`);
  return { child, base, accounts, dataDir, output: () => output };
}

async function stopServer() {
  if (!server) return;
  const { child, dataDir } = server;
  if (child.exitCode === null) {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

before(async () => {
  server = await startServer();
  // No --user-data-dir here: playwright-core refuses it with launch() and passes a
  // fresh temporary profile of its own (playwright_chromiumdev_profile-…), removed on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer();
  const report = join(here, 'axe-report.json');
  writeFileSync(report, JSON.stringify({ audits, outside, cspErrors, pageErrors, overflow }, null, 2));
});

/** A fresh visitor (own cookies), loopback only: any other request is aborted and noted. */
async function visitor(width = 1280) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale: 'fr-FR',
    baseURL: server.base,
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === server.base) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) {
      cspErrors.push(`${page.url()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return { context, page };
}

/** Runs axe on the page as it is now; remembers the result. */
async function audit(page, name) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
  // axe only asks for a review of duplicate ids: count them ourselves.
  const duplicates = await page.evaluate(() => {
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
  if (duplicates.length) {
    violations.push({ id: 'duplicate-id', impact: 'serious', help: 'ids en double', nodes: duplicates.map((d) => ({ target: `#${d}` })) });
  }
  const incomplete = result.incomplete.map((v) => `${v.id} (${v.nodes.length})`);
  audits.push({ name, url: page.url().replace(server.base, ''), passes: result.passes.length, incomplete, violations });
  return violations;
}

/** At 1280 and 375 px: nothing wider than the screen (always); a PNG of the viewport
 *  when CONCERTO_SCREENSHOTS=1. */
async function shot(page, name) {
  if (SHOTS) mkdirSync(SHOTS_DIR, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > width) {
      const culprits = await page.evaluate((w) => [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > w + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > w + 1))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''}`), width);
      overflow.push(`${name} à ${width} px : ${wide} px de large (${culprits.join(', ')})`);
    }
    if (width === 375) await audit(page, `${name} (375 px)`);
    if (SHOTS) await page.screenshot({ path: join(SHOTS_DIR, `${name}-${width}.png`), fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function open(page, path, name) {
  const response = await page.goto(path);
  await audit(page, name);
  return response;
}

async function staffLogin(page, login) {
  const account = server.accounts[login];
  assert.ok(account, `compte ${login} absent de la sortie du serveur`);
  await open(page, '/connexion', `connexion (${login})`);
  await page.fill('#identifiant', account.login);
  await page.fill('#mot-de-passe', account.password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  assert.match(await page.textContent('body'), /Espace de l.équipe/);
}

async function activeSummary(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      type: el.getAttribute('type'),
      name: el.getAttribute('name'),
      cls: el.className,
      text: (el.textContent || '').trim().slice(0, 80),
      form: el.form ? el.form.getAttribute('action') : null,
    };
  });
}

/** Presses Tab until `want(activeElement)` holds; returns the elements passed on the way. */
async function tabUntil(page, want, limit = 80) {
  const seen = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const el = await activeSummary(page);
    seen.push(el);
    if (want(el)) return seen;
  }
  assert.fail(`non atteint au clavier en ${limit} tabulations : ${JSON.stringify(seen.slice(-10))}`);
}

async function api(method, path, token, body) {
  const response = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test('parcours complet, accessibilité et clavier sur le vrai serveur', { timeout: 240_000 }, async (t) => {
  assert.ok(server.accounts['animateur.demo'], 'compte animateur.demo imprimé');
  assert.ok(server.accounts['commission.demo'], 'compte commission.demo imprimé');
  assert.equal(server.accounts['animateur.demo'].role, 'animateur');

  // The demo moderates a posteriori; to exercise the queue's "Publier", the commission
  // switches it to a priori through the JSON API first (what an operator would do).
  const login = await api('POST', '/auth/login', null, {
    login: 'commission.demo',
    password: server.accounts['commission.demo'].password,
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const list = await api('GET', '/concertations', login.body.token);
  assert.equal(list.status, 200);
  const items = Array.isArray(list.body) ? list.body : list.body.items;
  const demo = items.find((c) => c.slug === SLUG);
  assert.ok(demo, `concertation ${SLUG} listée`);
  const mode = await api('POST', `/concertations/${demo.id}/moderation-mode`, login.body.token, { mode: 'a_priori' });
  assert.ok(mode.status < 300, JSON.stringify(mode.body));

  const { page: citizen } = await visitor();
  const questions = {};
  let contributionPath;

  await t.test('un visiteur découvre la concertation', async () => {
    await open(citizen, '/', 'accueil');
    assert.match(await citizen.textContent('h1'), /\S/);
    await shot(citizen, 'accueil');
    await Promise.all([citizen.waitForNavigation(), citizen.click(`a[href="/concertations/${SLUG}"]`)]);
    await audit(citizen, 'concertation');
    assert.match(await citizen.textContent('h1'), /Concertation territoriale de l.IA/);
    await shot(citizen, 'concertation');
    const links = await citizen.$$eval('.cards a', (as) => as.map((a) => ({ href: a.getAttribute('href'), kind: a.closest('li').querySelector('.small').textContent.trim() })));
    assert.equal(links.length, 3, JSON.stringify(links));
    [questions.open, questions.statements, questions.amendments] = links.map((l) => l.href);
    await open(citizen, questions.open, 'question ouverte (visiteur)');
    await open(citizen, questions.statements, 'question à propositions (visiteur)');
    await open(citizen, questions.amendments, 'question à amendements (visiteur)');
    assert.ok(await citizen.locator('.article').count() > 0, 'les articles de la doctrine sont affichés');
    await open(citizen, `/concertations/${SLUG}/moderation`, 'journal de modération public');
  });

  await t.test('un citoyen rejoint la concertation', async () => {
    await open(citizen, `/participer?retour=${encodeURIComponent(questions.open)}`, 'participer');
    await shot(citizen, 'participer');
    await citizen.check('#kind-citoyen');
    await citizen.fill('#champ-commune', '75056');
    await Promise.all([citizen.waitForNavigation(), citizen.click('main form button[type=submit]')]);
    await audit(citizen, 'participation confirmée');
    const code = (await citizen.textContent('#code')).trim();
    assert.ok(code.length >= 8, `code de récupération affiché : ${code}`);
    assert.match(await citizen.textContent('main'), /code de récupération/);
    await open(citizen, '/recuperer', 'récupérer');
  });

  await t.test('au clavier : lien d\'évitement, formulaire de contribution, envoi', async () => {
    await open(citizen, questions.open, 'question ouverte (participant)');
    await shot(citizen, 'contribuer');
    await citizen.evaluate(() => document.activeElement && document.activeElement.blur());
    await citizen.keyboard.press('Tab');
    let el = await activeSummary(citizen);
    assert.equal(el.cls, 'skip-link', `la première tabulation atteint le lien d'évitement : ${JSON.stringify(el)}`);
    await citizen.keyboard.press('Enter');
    el = await activeSummary(citizen);
    assert.equal(el.id, 'contenu', `Entrée place le focus sur le contenu : ${JSON.stringify(el)}`);
    const action = new URL(questions.open, server.base).pathname;
    const inForm = (e) => e && e.form === action;
    // The kind radios come first: Tab reaches the checked one, arrows choose "proposition".
    await tabUntil(citizen, (e) => e.tag === 'input' && e.name === 'kind');
    for (let i = 0; i < 6 && (await activeSummary(citizen)).id !== 'kind-proposal'; i++) {
      await citizen.keyboard.press('ArrowDown');
    }
    el = await activeSummary(citizen);
    assert.equal(el.id, 'kind-proposal', `les flèches choisissent « proposition » : ${JSON.stringify(el)}`);
    assert.equal(await citizen.isChecked('#kind-proposal'), true);
    const path = await tabUntil(citizen, (e) => e.id === 'champ-text');
    assert.ok(path.every((e) => e.tag !== 'body'), 'le focus ne retombe pas sur la page');
    await citizen.keyboard.type(CONTRIBUTION);
    const order = [];
    const rest = await tabUntil(citizen, (e) => inForm(e) && e.tag === 'button');
    for (const e of rest) if (inForm(e)) order.push(e);
    const kinds = order.map((e) => (e.type === 'checkbox' ? 'theme' : e.tag === 'select' ? 'langue' : e.tag === 'button' ? 'envoyer' : e.tag));
    const themeCount = kinds.filter((k) => k === 'theme').length;
    assert.ok(themeCount >= 1, `des cases de thème sont atteintes : ${kinds}`);
    const firstTheme = kinds.indexOf('theme');
    const lang = kinds.indexOf('langue');
    const submit = kinds.indexOf('envoyer');
    assert.ok(firstTheme >= 0 && firstTheme < lang && lang < submit, `ordre texte → thèmes → langue → envoyer : ${kinds}`);
    assert.deepEqual(kinds.slice(firstTheme, lang), Array(lang - firstTheme).fill('theme'), `les thèmes se suivent : ${kinds}`);
    // Back to the first theme (Shift+Tab), tick it with Space, then forward to submit.
    for (let i = submit; i > firstTheme; i--) await citizen.keyboard.press('Shift+Tab');
    el = await activeSummary(citizen);
    assert.equal(el.type, 'checkbox');
    await citizen.keyboard.press('Space');
    assert.equal(await citizen.evaluate(() => document.activeElement.checked), true, 'Espace coche le thème');
    for (let i = firstTheme; i < submit; i++) await citizen.keyboard.press('Tab');
    el = await activeSummary(citizen);
    assert.equal(el.tag, 'button', `de retour sur Envoyer : ${JSON.stringify(el)}`);
    await Promise.all([citizen.waitForNavigation(), citizen.keyboard.press('Enter')]);
    assert.match(citizen.url(), /\/contributions\/[0-9a-f-]{36}$/);
    contributionPath = new URL(citizen.url()).pathname;
    const main = await citizen.textContent('main');
    assert.ok(main.includes(CONTRIBUTION), 'le texte envoyé est affiché');
    assert.match(main, /En attente de modération/);
    await audit(citizen, 'contribution (auteur, en attente)');
    await shot(citizen, 'contribution');
  });

  await t.test('le citoyen vote puis change d\'avis', async () => {
    await open(citizen, questions.statements, 'question à propositions (participant)');
    await shot(citizen, 'propositions');
    const statement = (await citizen.textContent('.vote-form legend')).trim();
    assert.ok(statement.length > 10, 'une proposition à voter');
    await Promise.all([citizen.waitForNavigation(), citizen.click('.vote-form button[value=agree]')]);
    assert.match(await citizen.textContent('.vote-box'), /Vous avez voté sur 1 proposition\(s\)\./);
    const line = citizen.locator('.statement-line', { hasText: statement });
    assert.match(await line.textContent(), /1 d'accord, 0 pas d'accord, 0 passent/);
    assert.equal((await line.locator('strong').textContent()).trim(), "D'accord");
    await audit(citizen, 'question à propositions (après un vote)');
    await Promise.all([citizen.waitForNavigation(), line.locator('button[value=pass]').click()]);
    const after = citizen.locator('.statement-line', { hasText: statement });
    assert.match(await after.textContent(), /0 d'accord, 0 pas d'accord, 1 passent/);
    assert.equal((await after.locator('strong').textContent()).trim(), 'Passer');
    assert.match(await citizen.textContent('.vote-box'), /Vous avez voté sur 1 proposition\(s\)\./);
  });

  await t.test('l\'animatrice publie la contribution au clavier', async () => {
    const { page } = await visitor();
    await staffLogin(page, 'animateur.demo');
    await audit(page, 'espace de l\'équipe (animation)');
    await open(page, `/animation/${SLUG}/moderation`, 'file de modération');
    await shot(page, 'moderation');
    const first = page.locator('.queue-item').first();
    assert.ok((await first.textContent()).includes(CONTRIBUTION), 'la contribution est en tête de file');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('Tab');
    assert.equal((await activeSummary(page)).cls, 'skip-link');
    await page.keyboard.press('Enter');
    assert.equal((await activeSummary(page)).id, 'contenu');
    const seen = await tabUntil(page, (e) => e.tag === 'button' && e.text.startsWith('Publier'));
    const note = seen.findIndex((e) => e.id && e.id.startsWith('note-ok-'));
    assert.ok(note >= 0 && note === seen.length - 2, `la note précède Publier : ${JSON.stringify(seen.slice(-3))}`);
    const id = contributionPath.split('/').pop();
    assert.equal((await activeSummary(page)).form, `/animation/contributions/${id}/decision`, 'le premier Publier est celui de la contribution');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.ok(!(await page.textContent('main')).includes(CONTRIBUTION), 'la contribution a quitté la file');
    await audit(page, 'file de modération (après publication)');
    await open(page, `/animation/${SLUG}/journal`, 'journal de modération (équipe)');
    assert.ok((await page.textContent('main')).length > 0);
    await page.context().close();
  });

  await t.test('la commission clôt la concertation et répond', async () => {
    const { page } = await visitor();
    await staffLogin(page, 'commission.demo');
    await open(page, `/commission/${SLUG}`, 'tableau de bord de la commission');
    await shot(page, 'commission');
    // A reason is required: an empty one is refused, in French.
    await page.fill('#raison-cloture', '');
    await page.$eval('#raison-cloture', (el) => el.removeAttribute('required'));
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/cloture"] button')]);
    assert.match(await page.textContent('main'), /motif|raison|obligatoire|vide/i, 'un motif vide est refusé en français');
    await audit(page, 'tableau de bord (motif manquant)');
    if (!page.url().endsWith(`/commission/${SLUG}`)) await page.goto(`/commission/${SLUG}`);
    await page.fill('#raison-cloture', CLOSE_REASON);
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/cloture"] button')]);
    assert.match(await page.textContent('main'), /Publier la synthèse/);
    const item = page.locator('.answer-item', { hasText: CONTRIBUTION });
    assert.equal(await item.count(), 1, 'la contribution est à répondre');
    await audit(page, 'tableau de bord (clos)');
    const doctrine = await page.getAttribute('a[href^="/doctrines/"]', 'href');
    await item.locator('input[value=adopted_with_changes]').check();
    await item.locator('textarea[name=justification]').fill(JUSTIFICATION);
    await Promise.all([page.waitForNavigation(), item.locator('button[type=submit]').click()]);
    assert.match(await page.textContent('main'), /Déjà répondues \(1\)/);
    await audit(page, 'tableau de bord (après réponse)');
    await open(page, doctrine, 'doctrine');
    assert.match(await page.textContent('h1'), /\S/);
    await page.context().close();
  });

  await t.test('le citoyen voit la réponse sur /moi', async () => {
    await open(citizen, '/moi', 'mes contributions');
    const main = await citizen.textContent('main');
    assert.ok(main.includes(CONTRIBUTION));
    assert.match(main, /adoptée avec modifications/);
    await open(citizen, contributionPath, 'contribution (publique, répondue)');
    assert.ok((await citizen.textContent('main')).includes(JUSTIFICATION));
  });

  await t.test('les autres pages', async () => {
    const { page } = await visitor();
    await open(page, contributionPath, 'contribution (visiteur)');
    for (const [path, name] of [
      ['/mentions-legales', 'mentions légales'],
      ['/donnees-personnelles', 'données personnelles'],
      ['/charte-de-moderation', 'charte de modération'],
      ['/accessibilite', 'accessibilité'],
      ['/connexion', 'connexion (visiteur)'],
    ]) {
      const response = await open(page, path, name);
      assert.equal(response.status(), 200, path);
    }
    const missing = await open(page, '/pas-une-page', 'page introuvable');
    assert.equal(missing.status(), 404);
    assert.match(await page.textContent('main'), /introuvable/i);
    await page.goto('/langue/en?retour=/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await audit(page, 'accueil en anglais');
    await page.context().close();
  });

  // The session board: the demo seeds no session.
  await t.test('tableau de séance', { skip: 'la démonstration ne crée aucune séance' }, () => {});

  await t.test('aucune violation axe, aucune requête extérieure, aucune erreur CSP', () => {
    const failing = audits.filter((a) => a.violations.length > 0);
    const lines = failing.flatMap((a) => a.violations.map((v) => `${a.name} (${a.url}) : ${v.id} [${v.impact}] ${v.help} — ${v.nodes.map((n) => n.target).join(', ')}`));
    const passes = audits.reduce((n, a) => n + a.passes, 0);
    const review = [...new Set(audits.flatMap((a) => a.incomplete.map((i) => i.split(' ')[0])))];
    console.log(`axe : ${audits.length} pages auditées, ${passes} règles satisfaites, ${lines.length} violation(s)` +
      (review.length ? `, à vérifier à la main : ${review.join(', ')}` : ''));
    assert.ok(audits.every((a) => a.passes > 10), 'axe a bien analysé chaque page');
    assert.deepEqual(lines, []);
    assert.deepEqual(outside, []);
    assert.deepEqual(cspErrors, []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(overflow, []);
  });
});
