/* ---
description: >
  One row per lauréat project, the two lauréat files merged: the DGE France Relance file (every
  industrial measure, no amounts) and the programme extract of the Territoires d'industrie fund
  (aid, investment, jobs), whose projects are also in the DGE file. A project of the extract is
  paired with a DGE row by SIRET, else SIREN, else the same company name and postcode (a DGE row of
  the fund's measure preferred), one to one (each side's best candidate, and only if it is the
  other side's best too); an unpaired project of the extract is a lauréat of its own. Measure and
  sector come from the DGE row, amounts from the extract; the project is located where either
  row was placed (the DGE row first).
columns:
  id_laureat: Project id (relance_laureats:<row> or, for an extract project without DGE row, laureats_ti:<id_projet>)
  id_relance: Row number in the DGE file (int_laureats_localises.id_laureat), null if absent from it
  id_projet_ti: id_projet in the TI fund extract, null if absent from it
  appariement: How the two rows were paired (siret, siren, nom_code_postal), null when only one file has the project
  entreprise: Beneficiary
  siren: SIREN
  siret: SIRET
  identifiant_statut: siret, siren, absent or invalide (of the row that placed it, else of the DGE row)
  mesure: Measure, long label
  mesure_light: Short measure label
  filiere: Sector as the source labels it
  montant_aide: Aid granted, EUR (extract only)
  montant_investissement: Investment, EUR (extract only)
  emplois: Jobs announced (extract only)
  code_postal: Postcode
  nom_commune: Commune name as published
  source_localisation: The file whose row placed the project (relance_laureats or laureats_ti)
  methode_localisation: siret, siren_siege, code_postal_commune, code_postal; null when not located
  code_commune: Commune (target COG), null when not located
  motif_non_localise: Why no row of the project could be placed
  millesime: Vintage of the source (the DGE file's when the project is in it)
tests:
  - unique: [id_laureat]
  - assert: {name: une_ligne_dge_par_projet, sql: "select id_relance, count(*) as n from int_laureats_projets where id_relance is not null group by all having count(*) > 1"}
  - assert: {name: un_projet_du_fonds_par_projet, sql: "select id_projet_ti, count(*) as n from int_laureats_projets where id_projet_ti is not null group by all having count(*) > 1"}
  - not_null: [id_laureat]
  - assert: {name: localise_ou_motif, sql: "select * from int_laureats_projets where (code_commune is null) = (motif_non_localise is null)"}
--- */
with dge as (
    select *, trim(regexp_replace(lower(strip_accents(coalesce(entreprise, ''))), '[^a-z0-9]+', ' ', 'g')) as nom_normalise
    from int_laureats_localises where source_laureat = 'relance_laureats'
),
fonds as (
    select *, trim(regexp_replace(lower(strip_accents(coalesce(entreprise, ''))), '[^a-z0-9]+', ' ', 'g')) as nom_normalise
    from int_laureats_localises where source_laureat = 'laureats_ti'
),
candidats as (
    select
        f.id_laureat as id_projet_ti,
        d.id_laureat as id_relance,
        case
            when f.siret is not null and f.siret = d.siret then 1
            when f.siren is not null and f.siren = d.siren then 2
            else 3
        end as priorite,
        case
            when f.siret is not null and f.siret = d.siret then 'siret'
            when f.siren is not null and f.siren = d.siren then 'siren'
            else 'nom_code_postal'
        end as appariement,
        coalesce(d.mesure_light, '') <> 'Projets territoriaux' as autre_mesure  -- the TI fund's measure
    from fonds f
    join dge d
      on (f.siret is not null and f.siret = d.siret)
      or (f.siren is not null and f.siren = d.siren)
      or (f.nom_normalise <> '' and f.nom_normalise = d.nom_normalise and f.code_postal = d.code_postal)
),
classes as (
    select
        *,
        row_number() over (partition by id_projet_ti order by priorite, autre_mesure, try_cast(id_relance as integer)) as rang_fonds,
        row_number() over (partition by id_relance order by priorite, id_projet_ti) as rang_dge
    from candidats
),
paires as (
    select id_projet_ti, id_relance, appariement from classes where rang_fonds = 1 and rang_dge = 1
),
projets as (
    select d.id_laureat as id_relance, p.id_projet_ti, p.appariement
    from dge d left join paires p on p.id_relance = d.id_laureat
    union all
    select null, f.id_laureat, null
    from fonds f
    where f.id_laureat not in (select id_projet_ti from paires)
)
select
    coalesce('relance_laureats:' || p.id_relance, 'laureats_ti:' || p.id_projet_ti) as id_laureat,
    p.id_relance,
    p.id_projet_ti,
    p.appariement,
    coalesce(d.entreprise, f.entreprise) as entreprise,
    coalesce(d.siren, f.siren) as siren,
    coalesce(d.siret, f.siret) as siret,
    case when d.code_commune is null and f.code_commune is not null then f.identifiant_statut
         else coalesce(d.identifiant_statut, f.identifiant_statut) end as identifiant_statut,
    coalesce(d.mesure, f.mesure) as mesure,
    coalesce(d.mesure_light, f.mesure_light) as mesure_light,
    coalesce(nullif(trim(d.filiere), ''), f.filiere) as filiere,
    f.montant_aide,
    f.montant_investissement,
    f.emplois,
    coalesce(d.code_postal, f.code_postal) as code_postal,
    coalesce(d.nom_commune, f.nom_commune) as nom_commune,
    case when d.code_commune is not null then 'relance_laureats'
         when f.code_commune is not null then 'laureats_ti' end as source_localisation,
    coalesce(d.methode_localisation, f.methode_localisation) as methode_localisation,
    coalesce(d.code_commune, f.code_commune) as code_commune,
    case when coalesce(d.code_commune, f.code_commune) is null
         then coalesce(d.motif_non_localise, f.motif_non_localise) end as motif_non_localise,
    coalesce(d.millesime, f.millesime) as millesime
from projets p
left join dge d on d.id_laureat = p.id_relance
left join fonds f on f.id_laureat = p.id_projet_ti
order by try_cast(p.id_relance as integer), p.id_projet_ti
