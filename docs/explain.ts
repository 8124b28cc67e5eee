/**
 * Script of docs/explain.html: the model switch (or a user's Ultralytics export by URL), the pyramid
 * step's switch, a picture of your own, the street sample and the camera's current frame for its
 * `<loupe-explain>`. Errors show inside the element.
 */
const explainer = document.querySelector('loupe-explain');
const model = document.querySelector<HTMLSelectElement>('#explain-model');
const file = document.querySelector<HTMLInputElement>('#explain-file');
const ultralytics = document.querySelector<HTMLInputElement>('#explain-ultralytics');
const pyramid = document.querySelector<HTMLInputElement>('#explain-pyramid');
let objectUrl: string | undefined;

model?.addEventListener('change', () => {
  if (explainer) explainer.model = model.value;
});

// A user's Ultralytics export, by the URL of its model.json.
ultralytics?.addEventListener('change', () => {
  const url = ultralytics.value.trim();
  if (explainer && url) explainer.model = `ultralytics:${url}`;
});

// The pyramid step: the frame through the small-object mode too.
pyramid?.addEventListener('change', () => {
  if (explainer) explainer.smallObjects = pyramid.checked ? '' : null;
});

file?.addEventListener('change', () => {
  const picked = file.files?.[0];
  if (!picked || !explainer) return;
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = URL.createObjectURL(picked);
  explainer.src = objectUrl;
});

document.querySelector('#explain-sample')?.addEventListener('click', () => {
  if (explainer) explainer.src = '../samples/street.webm';
});

document.querySelector('#explain-camera')?.addEventListener('click', async () => {
  if (!explainer) return;
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  let stream: MediaStream | undefined;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true });
    video.srcObject = stream;
    await video.play();
    explainer.removeAttribute('src');
    await explainer.explain(video);
  } catch (error) {
    // The element shows its own errors; a refused camera is shown here.
    if (!(error instanceof Error && error.name === 'LoupeError')) alert(`The camera could not be opened: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const track of stream?.getTracks() ?? []) track.stop();
  }
});
