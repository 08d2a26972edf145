/* ---
description: >
  Urssaf private-sector salaried headcount and employer establishments at 31/12 by commune of the
  target COG, NAF division and year: arrondissements summed into their commune, merged communes
  summed, split ones shared by population (int_passage_communes). An empty headcount next to a
  published establishment count is a secret cell (secret = true, the headcount is then an
  under-estimate); an empty pair (no employer that year) is not a row at all.
columns:
  millesime: Urssaf vintage (latest year of the file)
  annee: Year (31 December)
  code_commune: Commune (target COG)
  division_naf: NAF division (two first digits of the APE code)
  est_industrie: The division is industry under the configured scope (int_divisions_naf)
  effectifs_salaries: Salaried headcount, published cells only
  nombre_etablissements: Employer establishments
  secret: A suppressed headcount cell went into the row
  etablissements_secret: Employer establishments of the suppressed headcount cells (how much the secret hides)
tests:
  - unique: [millesime, annee, code_commune, division_naf]
  - not_null: [millesime, annee, code_commune, division_naf, est_industrie, secret]
--- */
select
    u.millesime,
    u.annee,
    coalesce(p.code_commune, u.code_geo) as code_commune,
    u.division_naf,
    coalesce(any_value(d.est_industrie), false) as est_industrie,
    sum(u.effectifs_salaries * coalesce(p.poids, 1.0)) as effectifs_salaries,
    sum(u.nombre_etablissements * coalesce(p.poids, 1.0)) as nombre_etablissements,
    bool_or(u.effectifs_salaries is null and coalesce(u.nombre_etablissements, 0) > 0) as secret,
    coalesce(sum(u.nombre_etablissements * coalesce(p.poids, 1.0)) filter (where u.effectifs_salaries is null), 0) as etablissements_secret
from stg_urssaf_ape u
left join int_passage_communes p
    on p.annee_cog = least(u.annee_cog, getvariable('target_cog_year')) and p.code_source = u.code_geo
left join int_divisions_naf d on d.division_naf = u.division_naf
group by all
