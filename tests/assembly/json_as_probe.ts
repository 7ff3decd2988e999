// A probe of json-as 1.6.0, the AssemblyScript JSON library the design card names, compiled only
// for tests/json_as_defects.test.ts. It decodes and encodes the shapes this policy handles
// (containers of a pod spec, a message echoing an image name) the way a json-as based policy would.

import { JSON } from "json-as";
@json
class Container { name: string = ""; image: string = ""; args: string[] = []; }
@json
class Spec { containers: Container[] = []; }
@json
class Message { message: string = ""; }

export function containerImages(json: string): string {
  const spec = JSON.parse<Spec>(json);
  const images = new Array<string>();
  for (let i = 0; i < spec.containers.length; i++) images.push(spec.containers[i].image);
  return images.join(",");
}
export function serializeMessage(text: string): string {
  const m = new Message();
  m.message = text;
  return JSON.stringify(m);
}
