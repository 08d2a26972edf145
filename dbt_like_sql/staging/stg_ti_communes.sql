/* ---
description: >
  Member communes of each territoire d'industrie as ANCT publishes them (COG of the TI list), one row
  per commune and territory. A commune in several territories is published with ' ; '-separated
  id_ti/lib_ti lists; they are split here, so the commune appears once per territory.
columns:
  code_commune: Commune code in the COG of the TI list
  libelle_commune: Commune name
  id_ti: Territory id (ti-NNNN)
  lib_ti: Territory name
  annee_cog: COG year of the TI list
  millesime: Release year of the TI list
tests:
  - not_null: [code_commune, id_ti]
  - unique: [code_commune, id_ti]
--- */
with latest as (
    select * from raw_ti_communes
    where millesime = (select max(millesime) from raw_ti_communes)
)
select
    insee_com as code_commune,
    lib_com as libelle_commune,
    -- two unnest() in one select list are unnested side by side: the n-th id goes with the n-th name
    trim(unnest(string_split(id_ti, ' ; '))) as id_ti,
    trim(unnest(string_split(coalesce(lib_ti, ''), ' ; '))) as lib_ti,
    annee_cog,
    millesime
from latest
