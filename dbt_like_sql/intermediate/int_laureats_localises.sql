/* ---
description: >
  Every lauréat (DGE France Relance file and the TI-fund programme extract) placed in a commune
  of the target COG, by the first method that works: (1) its SIRET in Sirene; (2) its SIREN's head
  office in Sirene; (3) its postcode and commune name in the découpage administratif; (4) its
  postcode alone when it designates a single commune. Lauréats that no method places are kept,
  with code_commune null and the reason in motif_non_localise.
columns:
  source_laureat: relance_laureats (DGE) or laureats_ti (programme extract)
  id_laureat: Id within its source
  methode_localisation: siret, siren_siege, code_postal_commune, code_postal or null
  code_commune: Commune (target COG), null when not located
  motif_non_localise: Why the lauréat could not be placed
tests:
  - unique: [source_laureat, id_laureat]
  - not_null: [source_laureat, id_laureat]
  - assert: {name: localise_ou_motif, sql: "select * from int_laureats_localises where (code_commune is null) = (motif_non_localise is null)"}
--- */
with laureats as (
    select
        'relance_laureats' as source_laureat, cast(id_laureat as varchar) as id_laureat,
        entreprise, siren, siret, identifiant_statut, code_postal, nom_commune,
        mesure, mesure_light, filiere,
        null::double as montant_aide, null::double as montant_investissement, null::double as emplois,
        millesime
    from stg_relance_laureats
    union all
    select
        'laureats_ti', id_projet,
        entreprise, siren, siret, identifiant_statut,
        code_postal, nom_commune,
        mesure, 'Projets territoriaux', filiere,  -- the DGE file's label of the TI fund's measure
        montant_aide, montant_investissement, emplois,
        millesime
    from stg_laureats_ti
),
sirene as (
    -- only the establishments a lauréat can be placed by (its SIRET, or its SIREN's head office):
    -- this CTE is read twice, so DuckDB materializes it; unfiltered it would hold all of Sirene
    select siret, siren, est_siege, code_geo, annee_cog from stg_sirene_etablissements
    where siret in (select siret from laureats where siret is not null)
       or (est_siege and siren in (select siren from laureats where siren is not null))
),
par_siret as (
    select l.source_laureat, l.id_laureat, any_value(s.code_geo) as code_geo, any_value(s.annee_cog) as annee_cog
    from laureats l join sirene s on s.siret = l.siret
    group by all
),
par_siren as (
    select l.source_laureat, l.id_laureat, any_value(s.code_geo) as code_geo, any_value(s.annee_cog) as annee_cog
    from laureats l join sirene s on s.siren = l.siren and s.est_siege
    group by all
),
codes_postaux as (
    select code_commune, annee_cog, unnest(codes_postaux) as code_postal,
           trim(regexp_replace(lower(strip_accents(nom_commune)), '[^a-z0-9]+', ' ', 'g')) as nom_normalise
    from stg_communes_siren
    where type_commune in ('commune-actuelle', 'arrondissement-municipal')
),
par_cp_nom as (
    select l.source_laureat, l.id_laureat, min(c.code_commune) as code_geo, any_value(c.annee_cog) as annee_cog
    from laureats l
    join codes_postaux c
      on c.code_postal = l.code_postal
     and c.nom_normalise = trim(regexp_replace(lower(strip_accents(coalesce(l.nom_commune, ''))), '[^a-z0-9]+', ' ', 'g'))
    group by all
),
par_cp_seul as (
    select l.source_laureat, l.id_laureat, min(c.code_commune) as code_geo, any_value(c.annee_cog) as annee_cog
    from laureats l join codes_postaux c on c.code_postal = l.code_postal
    group by all
    having count(distinct c.code_commune) = 1
),
place as (
    select
        l.*,
        case
            when s1.code_geo is not null then 'siret'
            when s2.code_geo is not null then 'siren_siege'
            when c1.code_geo is not null then 'code_postal_commune'
            when c2.code_geo is not null then 'code_postal'
        end as methode_localisation,
        coalesce(s1.code_geo, s2.code_geo, c1.code_geo, c2.code_geo) as code_geo,
        coalesce(s1.annee_cog, s2.annee_cog, c1.annee_cog, c2.annee_cog) as annee_cog_geo
    from laureats l
    left join par_siret s1 using (source_laureat, id_laureat)
    left join par_siren s2 using (source_laureat, id_laureat)
    left join par_cp_nom c1 using (source_laureat, id_laureat)
    left join par_cp_seul c2 using (source_laureat, id_laureat)
),
cible as (
    -- a code that the passage table splits goes to the target commune with the largest share
    select
        pl.source_laureat, pl.id_laureat,
        arg_max(coalesce(p.code_commune, pl.code_geo), coalesce(p.poids, 1.0)) as code_commune
    from place pl
    left join int_passage_communes p
        on p.annee_cog = least(pl.annee_cog_geo, getvariable('target_cog_year')) and p.code_source = pl.code_geo
    where pl.code_geo is not null
    group by all
)
select
    pl.source_laureat,
    pl.id_laureat,
    pl.entreprise,
    pl.siren,
    pl.siret,
    pl.identifiant_statut,
    pl.code_postal,
    pl.nom_commune,
    pl.mesure,
    pl.mesure_light,
    pl.filiere,
    pl.montant_aide,
    pl.montant_investissement,
    pl.emplois,
    pl.millesime,
    pl.methode_localisation,
    c.code_commune,
    case
        when c.code_commune is not null then null
        when pl.identifiant_statut in ('siret', 'siren')
            then 'SIRET/SIREN absent de Sirene, code postal et commune introuvables'
        when pl.identifiant_statut = 'invalide'
            then 'identifiant invalide, code postal et commune introuvables'
        else 'aucun identifiant, code postal et commune introuvables'
    end as motif_non_localise
from place pl
left join cible c using (source_laureat, id_laureat)
