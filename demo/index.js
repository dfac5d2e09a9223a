// Landing page: pick a room and open it as tutor or student in new tabs.
const roomInput = document.querySelector('#room');
const topology = document.querySelector('#topology');
const tutorLink = document.querySelector('#open-tutor');
const studentLink = document.querySelector('#open-student');
let studentCount = 0;

function randomRoom() {
  return `room-${Math.random().toString(36).slice(2, 8)}`;
}

function roomUrl(role, name) {
  const params = new URLSearchParams({ room: roomInput.value, role, name, topology: topology.value });
  return `/room.html?${params}`;
}

function refresh() {
  tutorLink.href = roomUrl('tutor', 'Tutor');
  studentLink.href = roomUrl('student', `Student ${studentCount + 1}`);
}

roomInput.value = randomRoom();
document.querySelector('#new-room').addEventListener('click', () => {
  roomInput.value = randomRoom();
  studentCount = 0;
  refresh();
});
roomInput.addEventListener('input', refresh);
topology.addEventListener('change', refresh);
studentLink.addEventListener('click', () => {
  // The next student gets the next name.
  setTimeout(() => {
    studentCount++;
    refresh();
  });
});
refresh();
