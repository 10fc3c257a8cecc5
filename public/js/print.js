// A printed document's toolbar: the "Print" button opens the browser's print dialog (its "Save as
// PDF" makes the PDF). Without this file the browser's own print command does the same.
document.querySelector('[data-print]')?.addEventListener('click', () => window.print());
