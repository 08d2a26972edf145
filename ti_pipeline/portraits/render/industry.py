"""The industry sections: industrial sectors (bars and table), establishment sizes (stacked bars) and
private industrial employment since 2006 (curves, or grouped bars of the latest changes). Content
from ``content.industry``; charts from ``svg``.
"""

from __future__ import annotations


from ti_pipeline.portraits import content as c
from ti_pipeline.portraits import svg
from ti_pipeline.portraits.formats import (
    NA,
    format_indice,
    format_nombre,
    format_part,
)
from ti_pipeline.portraits.render.glossary import lien_definition
from ti_pipeline.portraits.render.page import (
    QUALITES,
    SECTIONS,
    e,
    figure,
    non_disponible,
    source_texte,
    tableau_donnees,
    valeur_ligne,
)

# Size bands from small to large, light to dark (fill, text on it): contrast >= 4.5:1 both ways.
COULEURS_TAILLES = (("#c9cbf2", "#1e1e1e"), ("#5d5fc9", "#ffffff"), ("#000091", "#ffffff"))


def section_secteurs(sect: c.Secteurs | c.NonDisponible) -> str:
    titre = SECTIONS[2][1]
    out = [f'<section id="secteurs" aria-labelledby="secteurs-titre"><h2 id="secteurs-titre">{e(titre)}</h2>']
    if isinstance(sect, c.NonDisponible):
        out.append(non_disponible(sect.raison))
        return "".join(out) + "</section>"
    top = [s for s in sect.secteurs if s.postes is not None][:10]
    barres = []
    for s in top:
        # the unit of each figure, in words: "95 · indice 3,83" said neither
        texte = f"{format_nombre(s.postes)} postes"
        if s.quotient is not None:
            texte += f" · spécificité {format_indice(s.quotient)}"
        barres.append(svg.Barre(libelle=f"{s.code} · {s.libelle}", valeur=s.postes, texte=texte))
    annee = f" en {sect.annee}" if sect.annee else ""
    if barres:
        description = "Postes salariés par secteur industriel (A38)" + annee + " : " + "; ".join(
            f"{s.libelle} {format_nombre(s.postes)}" for s in top
        ) + "."
        out.append(f"<h3>Les principaux secteurs industriels, en postes salariés{e(annee)}</h3>")
        out.append(
            figure(
                svg.barres_horizontales("g-secteurs", f"Postes salariés par secteur industriel{annee}", description, [svg.GroupeBarres(None, barres)]),
                source_texte(sect.source, sect.millesime, sect.annee),
                lien_definition("indice-specificite", "indice de spécificité"),
            )
        )
    out.append(
        '<p class="note">Indice de spécificité (quotient de localisation) : la part du secteur dans les postes salariés '
        "du territoire rapportée à cette part en France ; au-dessus de 1, le secteur pèse plus ici qu'en France.</p>"
    )
    if any(s.secret for s in sect.secteurs):
        out.append('<p class="note">* secret statistique : des cellules Flores non publiées manquent, postes sous-estimés.</p>')
    lignes = [
        [
            e(f"{s.libelle} ({s.code})" + (" *" if s.secret else "")),
            e(s.rang if s.rang is not None else NA),
            e(format_nombre(s.postes)),
            e(format_part(s.part)),
            e(format_nombre(s.etablissements)),
            e(format_indice(s.quotient)),
        ]
        for s in sect.secteurs
    ]
    out.append(
        tableau_donnees(
            f"Secteurs industriels du territoire{annee}",
            [("Secteur (A38)", False), ("Rang", True), ("Postes salariés", True), ("Part des postes industriels", True), ("Établissements", True), ("Indice de spécificité", True)],
            lignes,
        )
    )
    return "".join(out) + "</section>"


def section_tailles(tailles: c.Tailles | c.NonDisponible, ident: c.Identite) -> str:
    out = [f'<section id="tailles" aria-labelledby="tailles-titre"><h2 id="tailles-titre">{e(SECTIONS[3][1])}</h2>']
    if isinstance(tailles, c.NonDisponible):
        out.append(non_disponible(tailles.raison))
        return "".join(out) + "</section>"
    noms = noms_zones(ident)
    lignes_svg, lignes_tab = [], []
    for z in tailles.zones:
        libelle = noms.get(z.zone, c.LIBELLES_ZONES[z.zone])
        segments = []
        # two bands: small and large (light, dark); three: light, medium, dark
        couleurs = COULEURS_TAILLES if len(z.parts) == 3 else (COULEURS_TAILLES[0], COULEURS_TAILLES[2])
        for (nom, part), (fond, texte) in zip(z.parts, couleurs):
            segments.append(svg.Segment(nom=nom, part=part, texte=format_part(part, 0), couleur=fond, couleur_texte=texte))
        lignes_svg.append(svg.LigneEmpilee(libelle=libelle, segments=segments))
        lignes_tab.append([e(libelle)] + [e(format_part(p)) for _, p in z.parts])
    annee = f" en {tailles.annee}" if tailles.annee else ""
    territoire = tailles.zones[0] if tailles.zones and tailles.zones[0].zone == "territoire" else None
    description = f"Répartition des postes salariés industriels selon la taille de l'établissement{annee}"
    if territoire:
        description += " ; dans le territoire : " + ", ".join(f"{n} {format_part(p, 0)}" for n, p in territoire.parts)
    out.append(f"<h3>Postes salariés industriels selon la taille de l'établissement{e(annee)}</h3>")
    out.append(
        figure(
            svg.barres_empilees("g-tailles", "Postes industriels par taille d'établissement" + annee, description + ".", lignes_svg),
            source_texte(tailles.source, tailles.millesime, tailles.annee),
            lien_definition("secret", "secret statistique"),
        )
    )
    if tailles.qualite in QUALITES:
        out.append(f'<p class="note">Qualité du territoire : {e(QUALITES[tailles.qualite])} (les cellules de détail par taille sont plus souvent secrètes que les totaux).</p>')
    entetes = [("Zone", False)] + [(n, True) for n, _ in tailles.zones[0].parts] if tailles.zones else [("Zone", False)]
    out.append(tableau_donnees(f"Part des postes industriels par taille d'établissement{annee}", entetes, lignes_tab))
    return "".join(out) + "</section>"


def noms_zones(ident: c.Identite) -> dict[str, str]:
    return {"territoire": ident.lib_ti, "region": f"Région {ident.libelle_region}" if ident.libelle_region else "Région"}


def section_emploi(emploi, ident: c.Identite) -> str:
    out = [f'<section id="emploi" aria-labelledby="emploi-titre"><h2 id="emploi-titre">{e(SECTIONS[4][1])}</h2>']
    noms = noms_zones(ident)
    if isinstance(emploi, c.NonDisponible):
        out.append(non_disponible(emploi.raison))
        return "".join(out) + "</section>"
    if isinstance(emploi, c.SerieEmploi):
        series = [
            svg.Serie(
                nom=noms.get(zone, label),
                points=emploi.indices[zone],
                couleur=svg.COULEURS_ZONES[zone],
                tirets=svg.TIRETS_ZONES[zone],
                epaisseur=3.0 if zone == "territoire" else 1.8,
            )
            for zone, _, label in c.ZONES
            if zone in emploi.indices
        ]
        annees = sorted({a for pts in emploi.indices.values() for a, _ in pts})
        fin_annee, fin = emploi.indices["territoire"][-1]
        titre = f"{emploi.libelle}, indice base 100 en {emploi.base_annee}"
        description = (
            f"{titre}, de {annees[0]} à {annees[-1]}. {noms['territoire']} : {format_nombre(fin, 1)} en {fin_annee}"
            + "".join(
                f" ; {noms.get(z, c.LIBELLES_ZONES[z])} : {format_nombre(pts[-1][1], 1)} en {pts[-1][0]}"
                for z, pts in emploi.indices.items()
                if z != "territoire"
            )
            + "."
        )
        out.append(f"<h3>{e(titre)}</h3>")
        source = source_texte(emploi.source, emploi.millesime)
        if emploi.methode == "evolutions_chainees":
            source += " ; indice obtenu en enchaînant les évolutions annuelles de mart_ti_indicateurs (evol_emploi_ind_prive_1a)"
        out.append(
            figure(
                svg.courbes("g-emploi", titre, description, series, lambda v: format_nombre(v, 0), reference=100),
                source,
                lien_definition("indice-base-100", "indice base 100") + ", " + lien_definition("comparateurs", "comparateurs"),
            )
        )
        if emploi.niveaux:
            (a0, n0), (a1, n1) = emploi.niveaux[0], emploi.niveaux[-1]
            out.append(
                f'<p class="note">Dans le territoire : {e(format_nombre(n0))} salariés de l\'industrie privée au 31/12/{a0}, '
                f"{e(format_nombre(n1))} au 31/12/{a1}. Secteur privé seulement (Urssaf), établissements classés par leur code APE.</p>"
            )
        # one row per year, one column per zone: twenty years side by side overflowed the page
        zones = [(z, noms.get(z, label)) for z, _, label in c.ZONES if z in emploi.indices]
        par_zone = {z: dict(emploi.indices[z]) for z, _ in zones}
        niveaux = dict(emploi.niveaux) if emploi.niveaux else None
        lignes_tab = [
            [e(a)] + [e(format_nombre(par_zone[z].get(a), 1)) for z, _ in zones]
            + ([e(format_nombre(niveaux.get(a)))] if niveaux is not None else [])
            for a in annees
        ]
        entetes = [("Année", False)] + [(f"{nom} (indice)", True) for _, nom in zones]
        if niveaux is not None:
            entetes.append((f"{noms['territoire']} : salariés", True))
        out.append(tableau_donnees(titre, entetes, lignes_tab))
        return "".join(out) + "</section>"
    # only the latest changes over 1, 5 and 10 years: grouped bars, one group per horizon
    groupes, lignes_tab = [], []
    for l in emploi.lignes:
        barres = [
            svg.Barre(libelle=noms.get(zone, label), valeur=l.valeurs[zone], texte=valeur_ligne(l, zone), couleur=svg.COULEURS_ZONES[zone])
            for zone, _, label in c.ZONES
            if l.valeurs.get(zone) is not None
        ]
        groupes.append(svg.GroupeBarres(f"{l.libelle} ({l.periode})", barres))
        lignes_tab.append([e(f"{l.libelle} ({l.periode})")] + [e(valeur_ligne(l, z)) for z, _, _ in c.ZONES])
    premiere = emploi.lignes[0]
    description = "; ".join(f"{l.libelle} : {valeur_ligne(l, 'territoire')} dans le territoire" for l in emploi.lignes)
    out.append("<h3>Évolution de l'emploi salarié industriel privé</h3>")
    out.append(
        figure(
            svg.barres_horizontales("g-emploi", "Évolution de l'emploi salarié industriel privé", description + ".", groupes),
            source_texte(premiere.source, premiere.millesime),
            ", ".join(lien_definition(l.code, l.libelle) for l in emploi.lignes),
        )
    )
    out.append(tableau_donnees("Évolution de l'emploi salarié industriel privé", [("Indicateur", False)] + [(label, True) for _, _, label in c.ZONES], lignes_tab))
    return "".join(out) + "</section>"
