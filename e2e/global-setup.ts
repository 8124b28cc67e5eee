import { checkPrerequisites } from './chromium';

export default function globalSetup(): void {
  checkPrerequisites();
}
