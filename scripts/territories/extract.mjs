#!/usr/bin/env node
// Regenerates domain/data/territoires.tsv, the compact extract of the official
// territorial lists that `concerto-domain` embeds to check INSEE codes.
//
// Usage: scripts/territories/regenerate.sh [package-version]
//   (or: node extract.mjs <unpacked-package-dir> <year> <version> > territoires.tsv)
//
// Why a compact TSV: the upstream JSON is ~12 MB with postal codes, history and
// fields Concerto never reads; the extract keeps only what the domain checks
// (codes, names, population, SIREN, EPCI membership) and stays around 2 MB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, year, version] = process.argv.slice(2);
if (!dir || !year || !version) {
  console.error('usage: extract.mjs <package-dir> <year> <version>');
  process.exit(2);
}
const load = (name) => JSON.parse(readFileSync(join(dir, 'data', name), 'utf8'));
// Tabs and newlines never occur in official names, but refuse them loudly rather
// than emit a corrupt line if that ever changes.
const clean = (s) => {
  const v = s == null ? '' : String(s);
  if (/[\t\n\r]/.test(v)) throw new Error(`separator in field: ${JSON.stringify(v)}`);
  return v;
};
const byCode = (a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

const out = [];
out.push('# Concerto : extrait compact du découpage administratif français');
out.push(`# Source : paquet npm @etalab/decoupage-administratif ${version} (millésime ${year}),`);
out.push('#   données INSEE (Code officiel géographique), DGCL (EPCI) ; compilation Etalab / data.gouv.fr.');
out.push('# Licence des données : Licence Ouverte 2.0 / Open Licence 2.0 (Etalab),');
out.push('#   https://www.etalab.gouv.fr/licence-ouverte-open-licence');
out.push('# Extrait regénéré par scripts/territories/regenerate.sh ; ne pas éditer à la main.');
out.push('# Lignes : R code nom | D code région nom | C code département siren population nom |');
out.push('#          E siren type nom communes-membres(séparées par des virgules)');
out.push(`Y\t${year}\t${version}`);
for (const r of load('regions.json').sort(byCode)) out.push(['R', r.code, clean(r.nom)].join('\t'));
for (const d of load('departements.json').sort(byCode))
  out.push(['D', d.code, d.region, clean(d.nom)].join('\t'));
for (const c of load('communes.json').filter((c) => c.type === 'commune-actuelle').sort(byCode))
  out.push(['C', c.code, c.departement, clean(c.siren), clean(c.population), clean(c.nom)].join('\t'));
for (const e of load('epci.json').sort(byCode))
  out.push(['E', e.code, e.type, clean(e.nom), e.membres.map((m) => m.code).sort().join(',')].join('\t'));
process.stdout.write(out.join('\n') + '\n');
