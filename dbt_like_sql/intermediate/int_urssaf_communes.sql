/* ---
# commune x year, not commune x NAF division x year: what the indicators use is the industrial
# headcount and the total, and the division grain was 14 M rows at national scale (issue 8)
description: >
  Urssaf private-sector salaried headcount and employer establishments at 31/12 by commune of the
  target COG and year, in all and in industry (NAF divisions of the configured scope,
  int_divisions_naf): arrondissements summed into their commune, merged communes summed, split
  ones shared by population (int_passage_communes). An empty headcount next to a published
  establishment count is a secret cell (the headcount is then an under-estimate: secret = true);
  a year with no employer in the commune is not a row at all.
columns:
  millesime: Urssaf vintage (latest year of the file)
  annee: Year (31 December)
  code_commune: Commune (target COG)
  effectifs_salaries: Salaried headcount, published cells only
  nombre_etablissements: Employer establishments
  secret: A suppressed headcount cell went into the row
  etablissements_secret: Employer establishments of the suppressed headcount cells (how much the secret hides)
  effectifs_industrie: Salaried headcount of the industrial divisions, published cells only
  etablissements_industrie: Employer establishments of the industrial divisions
  secret_industrie: A suppressed headcount cell of an industrial division went into the row
  etablissements_secret_industrie: Employer establishments of the suppressed industrial headcount cells
tests:
  - unique: [millesime, annee, code_commune]
  - not_null: [millesime, annee, code_commune, secret, secret_industrie, effectifs_industrie, etablissements_industrie]
  - assert: {name: industrie_dans_total, sql: "select * from int_urssaf_communes where effectifs_industrie > coalesce(effectifs_salaries, 0) + 1e-6 or etablissements_industrie > coalesce(nombre_etablissements, 0) + 1e-6"}
--- */
-- The file's own codes first (20 M cells at national scale into about a million rows), then the
-- passage table: a weight applies alike to every cell of a code, so sums commute with it.
with par_code as (
    select
        u.millesime,
        u.annee,
        u.annee_cog,
        u.code_geo,
        coalesce(d.est_industrie, false) as est_industrie,
        sum(u.effectifs_salaries) as effectifs_salaries,
        sum(u.nombre_etablissements) as nombre_etablissements,
        bool_or(u.effectifs_salaries is null and coalesce(u.nombre_etablissements, 0) > 0) as secret,
        coalesce(sum(u.nombre_etablissements) filter (where u.effectifs_salaries is null), 0) as etablissements_secret
    from stg_urssaf_ape u
    left join int_divisions_naf d on d.division_naf = u.division_naf
    group by all
),
cibles as (
    select
        c.millesime,
        c.annee,
        coalesce(p.code_commune, c.code_geo) as code_commune,
        c.est_industrie,
        c.effectifs_salaries * coalesce(p.poids, 1.0) as effectifs_salaries,
        c.nombre_etablissements * coalesce(p.poids, 1.0) as nombre_etablissements,
        c.secret,
        c.etablissements_secret * coalesce(p.poids, 1.0) as etablissements_secret
    from par_code c
    left join int_passage_communes p
        on p.annee_cog = least(c.annee_cog, getvariable('target_cog_year')) and p.code_source = c.code_geo
)
select
    millesime,
    annee,
    code_commune,
    sum(effectifs_salaries) as effectifs_salaries,
    sum(nombre_etablissements) as nombre_etablissements,
    bool_or(secret) as secret,
    sum(etablissements_secret) as etablissements_secret,
    coalesce(sum(effectifs_salaries) filter (where est_industrie), 0) as effectifs_industrie,
    coalesce(sum(nombre_etablissements) filter (where est_industrie), 0) as etablissements_industrie,
    coalesce(bool_or(secret) filter (where est_industrie), false) as secret_industrie,
    coalesce(sum(etablissements_secret) filter (where est_industrie), 0) as etablissements_secret_industrie
from cibles
group by all
