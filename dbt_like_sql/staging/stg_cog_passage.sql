/* ---
description: >
  Insee's annual passage table in long form: for every COG year, the code a commune had that
  year and its code in the target COG (the newest year of the table). Merged communes map several
  codes onto one; split communes map one code onto several.
columns:
  annee_cog: COG year of code_commune
  code_commune: Commune code in that year's COG
  code_commune_cible: Commune code in the target COG
tests:
  - not_null: [annee_cog, code_commune, code_commune_cible]
--- */
with latest as (
    select row_number() over () as ligne, columns('^CODGEO_\d{4}$')
    from raw_cog_passage
    where millesime = (select max(millesime) from raw_cog_passage)
),
long as (
    unpivot latest on columns('^CODGEO_\d{4}$') into name colonne value code_commune
),
codes as (
    select ligne, cast(substr(colonne, 8) as integer) as annee_cog, code_commune from long
)
select distinct a.annee_cog, a.code_commune, t.code_commune as code_commune_cible
from codes a
join codes t on t.ligne = a.ligne and t.annee_cog = getvariable('target_cog_year')
where a.code_commune is not null and t.code_commune is not null
