/* ---
description: >
  Census variables by commune of the target COG: arrondissements summed into their commune,
  merged communes summed, split ones shared by population (int_passage_communes). Adds the
  variables whose definition changed between vintages: P_POP60P (60-74 + 75+, where RP 2022 splits
  75+ into 75-89 and 90+) and C_ACTOCC1564_OUVRIERS (PCS 2003 CS6 up to RP 2021, PCS 2020 GSEC16
  from RP 2022).
columns:
  base: rp_population or rp_emploi
  millesime: Census vintage
  annee: Year of the value
  code_commune: Commune (target COG)
  variable: Variable name without year
  valeur: Value
tests:
  - unique: [base, millesime, annee, code_commune, variable]
  - not_null: [code_commune, variable, valeur]
--- */
with cible as (
    select
        r.base, r.millesime, r.annee, r.variable,
        coalesce(p.code_commune, r.code_geo) as code_commune,
        r.valeur * coalesce(p.poids, 1.0) as valeur
    from stg_rp r
    left join int_passage_communes p
        on p.annee_cog = least(r.annee_cog, getvariable('target_cog_year')) and p.code_source = r.code_geo
),
communes as (
    select base, millesime, annee, code_commune, variable, sum(valeur) as valeur
    from cible
    group by all
),
derivees as (
    select base, millesime, annee, code_commune, 'P_POP60P' as variable,
           sum(valeur) as valeur
    from communes
    where variable in ('P_POP6074', 'P_POP75P', 'P_POP7589', 'P_POP90P')
    group by all
    union all
    select base, millesime, annee, code_commune, 'C_ACTOCC1564_OUVRIERS' as variable,
           sum(valeur) as valeur
    from communes
    where variable in ('C_ACTOCC1564_CS6', 'C_ACTOCC1564_STAT_GSEC16')
    group by all
)
select * from communes
union all
select * from derivees
