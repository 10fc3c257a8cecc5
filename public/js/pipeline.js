// The pipeline board's drag and drop: dropping a card on another column posts the same move the
// card's buttons post (progressive enhancement; without this file the buttons do it).
const board = document.querySelector('[data-board]');
const form = document.getElementById('board-move');
if (board && form) {
  let dragged = null;
  board.addEventListener('dragstart', (event) => {
    dragged = event.target.closest('.deal-card[draggable="true"]');
    if (!dragged) return;
    dragged.classList.add('dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged.dataset.id);
  });
  board.addEventListener('dragend', () => {
    dragged?.classList.remove('dragging');
    for (const c of board.querySelectorAll('.drop-target')) c.classList.remove('drop-target');
  });
  board.addEventListener('dragover', (event) => {
    const column = event.target.closest('.board-column');
    if (!dragged || !column || column.contains(dragged)) return;
    event.preventDefault();
    for (const c of board.querySelectorAll('.drop-target')) if (c !== column) c.classList.remove('drop-target');
    column.classList.add('drop-target');
  });
  board.addEventListener('drop', (event) => {
    const column = event.target.closest('.board-column');
    if (!dragged || !column || column.contains(dragged)) return;
    event.preventDefault();
    const stage = column.dataset.stage;
    // Losing a deal takes a reason: its form asks for it.
    if (stage === 'lost') {
      window.location.href = `/opportunities/${dragged.dataset.id}/lost`;
      return;
    }
    form.action = `/opportunities/${dragged.dataset.id}/stage`;
    form.elements.version.value = dragged.dataset.version;
    form.elements.stage.value = stage;
    form.submit();
  });
}
