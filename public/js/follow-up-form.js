// The follow-up form on a phone: "use my location", and a visit typed with no connection kept on the
// phone as a draft (app.js sends it when the connection returns). Without this file the form works
// as a plain form. Loaded as a module, so its names stay its own.
const form = document.querySelector('form.follow-up-form');
// Drafts are stored by app.js, which runs first (deferred scripts and modules run in page order).
const { read: readDrafts, write: writeDrafts } = window.kehuDrafts;

function say(text, type) {
  let box = document.querySelector('[data-draft-notice]');
  if (!box) {
    box = document.createElement('div');
    box.setAttribute('data-draft-notice', '');
    box.setAttribute('role', 'status');
    form.before(box);
  }
  box.className = `flash flash-${type}`;
  box.textContent = text;
}

// "Use my location": the phone's position as coordinates; an address typed before stays in front.
const locate = form?.querySelector('[data-locate]');
const place = form?.querySelector('input[name="location"]');
const locateStatus = form?.querySelector('[data-locate-status]');
if (locate && place && 'geolocation' in navigator) {
  locate.hidden = false;
  locate.addEventListener('click', () => {
    locateStatus.textContent = locate.getAttribute('data-locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        const coords = `${latitude.toFixed(5)}, ${longitude.toFixed(5)} (±${Math.round(accuracy)} m)`;
        // An address the user typed stays; coordinates from an earlier tap are replaced.
        const typed = place.value.split(' · ')[0].trim();
        place.value = typed && !/^-?\d/.test(typed) ? `${typed} · ${coords}` : coords;
        locateStatus.textContent = '';
      },
      () => {
        // No position (refused, no signal, not a secure page): the address typed by hand is the fallback.
        locateStatus.textContent = locate.getAttribute('data-unavailable');
        place.focus();
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

// A new follow-up sent with no connection is kept on this phone, never lost.
if (form?.hasAttribute('data-draft')) {
  // Opened from a draft the server refused (#draft-<id>): the form is filled in again to correct it.
  const fromDraft = /^#draft-(.+)$/.exec(window.location.hash)?.[1];
  const draft = fromDraft && readDrafts().find((d) => d.id === fromDraft);
  if (draft) {
    for (const [name, value] of draft.fields) {
      if (name === '_csrf' || name === '_once') continue;
      for (const input of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (input.type === 'radio' || input.type === 'checkbox') input.checked = input.value === value;
        else input.value = value;
      }
    }
  }

  form.addEventListener('submit', (event) => {
    if (event.defaultPrevented) return;
    if (navigator.onLine) {
      // Sent now: the draft it was filled from is done with.
      if (draft) writeDrafts(readDrafts().filter((d) => d.id !== draft.id));
      return;
    }
    event.preventDefault();
    const fields = [...new FormData(form)].filter(([, value]) => typeof value === 'string');
    const once = fields.find(([name]) => name === '_once')?.[1];
    const id = once || String(Date.now());
    const drafts = readDrafts().filter((d) => d.id !== id && (!draft || d.id !== draft.id));
    drafts.push({
      id,
      action: form.getAttribute('action'),
      fields,
      page: window.location.pathname + window.location.search,
      label: form.getAttribute('data-draft'),
      savedAt: Date.now(),
      texts: {
        sent: form.getAttribute('data-draft-sent'),
        refused: form.getAttribute('data-draft-refused'),
      },
    });
    writeDrafts(drafts);
    say(form.getAttribute('data-draft-kept'), 'info');
  });
}
