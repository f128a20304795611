"""The share page as HTML: phone first, no cookie, nothing fetched from anywhere but Sharebot."""

from __future__ import annotations

from html import escape

import segno

from bot.views import SharePage

_STYLE = """
*{box-sizing:border-box}
body{font:17px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;
background:#f5f5f7}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0}h2{font-size:1rem;margin:1.5rem 0 .5rem;color:#555}
.intro{margin:0 0 1rem}.ended{background:#fff4e5;border-radius:8px;padding:.6rem .8rem}
figure{margin:0 0 1rem;background:#fff;border-radius:12px;overflow:hidden;
box-shadow:0 1px 3px #0002}
figure img{display:block;width:100%;height:auto}
figure .button{margin:.6rem}
.text{background:#fff;border-radius:12px;padding:.8rem;margin:0 0 .8rem;box-shadow:0 1px 3px #0002}
.text p{white-space:pre-wrap;margin:0 0 .6rem;overflow-wrap:anywhere}
.button{display:inline-block;min-height:44px;padding:.6rem 1rem;border-radius:10px;border:0;
background:#e8e8ed;color:#1d1d1f;font:inherit;font-weight:600;text-decoration:none;
cursor:pointer}
.network{display:block;text-align:center;margin:0 0 .6rem;background:#0a66c2;color:#fff}
.network.instagram{background:linear-gradient(45deg,#f58529,#dd2a7b,#8134af)}
.phone{display:flex;gap:1rem;align-items:center;margin-top:2rem;color:#555;font-size:.9rem}
.phone svg{flex:none;background:#fff;border-radius:8px}
@media (pointer:coarse){.phone{display:none}}
"""

# Copy buttons, the app link with the website as fallback, and sharing the photo itself where
# the phone's browser can hand a file to an app (Web Share); nothing here talks to a server but
# Sharebot. The clipboard API exists only on https (and localhost): elsewhere the text is
# selected and copied the old way, or left selected for the phone's own "Copy". The photos are
# read before the tap because Safari lets only a tap itself (not a later callback) open the
# share sheet; they come from the cache the <img> filled.
_SCRIPT = """
function select(p){var range=document.createRange(),sel=getSelection();range.selectNodeContents(p);
sel.removeAllRanges();sel.addRange(range);try{return document.execCommand("copy");}
catch(e){return false;}}
document.querySelectorAll("[data-copy]").forEach(function(b){b.addEventListener("click",
function(){var p=b.parentElement.querySelector("p"),done=b.dataset.copied;
function ok(){b.textContent=done;}function old(){if(select(p))ok();}
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(p.textContent)
.then(ok,old);}else{old();}});});
var mobile=/Android|iPhone|iPad|iPod/i.test(navigator.userAgent);
document.querySelectorAll("a[data-app]").forEach(function(a){a.addEventListener("click",
function(e){if(!mobile||!a.dataset.app)return;e.preventDefault();var web=a.href;
location.href=a.dataset.app;setTimeout(function(){if(!document.hidden)location.href=web;},1500);
});});
var share=document.getElementById("share-photo");
if(share&&navigator.canShare){Promise.all([].map.call(document.querySelectorAll("figure"),
function(f){var a=f.querySelector("a[download]");return fetch(f.querySelector("img").src)
.then(function(r){return r.blob();}).then(function(b){
return new File([b],a.getAttribute("download"),{type:b.type});});}))
.then(function(files){if(!navigator.canShare({files:files}))return;share.hidden=false;
share.addEventListener("click",function(){navigator.share({files:files}).catch(function(){});});
}).catch(function(){});}
"""


def render_share_page(page: SharePage) -> str:
    """The whole page, every text escaped; the QR code leads a phone to the same page."""
    labels = {name: escape(text) for name, text in page.labels.items()}
    photos = "".join(
        f'<figure><img src="{escape(photo.url)}" alt="{escape(photo.alt)}">'
        f'<a class="button" href="{escape(photo.download_url)}" '
        f'download="{escape(photo.file_name)}">{labels["download"]}</a></figure>'
        for photo in page.photos
    )
    if page.photos:
        photos += (
            f'<button type="button" class="button" id="share-photo" hidden>'
            f"{labels['share_photo']}</button>"
        )
    texts = "".join(
        f'<div class="text"><p>{escape(text)}</p><button type="button" class="button" '
        f'data-copy data-copied="{labels["copied"]}">{labels["copy"]}</button></div>'
        for text in page.texts
    )
    networks = "".join(
        f'<a class="button network {escape(n.network)}" href="{escape(n.url)}" '
        f'data-app="{escape(n.app_url)}" rel="noopener noreferrer">{escape(n.label)}</a>'
        for n in page.networks
    )
    ended = f'<p class="ended">{escape(page.ended_text)}</p>' if page.ended_text else ""
    qr = segno.make(page.here_url, error="m").svg_inline(scale=4, border=2)
    return f"""<!doctype html>
<html lang="{escape(page.language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(page.title)}</title><style>{_STYLE}</style></head>
<body><main><h1>{escape(page.title)}</h1><p class="intro">{escape(page.intro)}</p>{ended}
{f'<section class="photos">{photos}</section>' if photos else ""}
<section class="texts"><h2>{labels["texts"]}</h2>{texts}</section>
{f'<section class="networks"><h2>{labels["networks"]}</h2>{networks}</section>' if networks else ""}
<section class="phone">{qr}<span>{labels["phone"]}</span></section>
</main><script>{_SCRIPT}</script></body></html>"""
