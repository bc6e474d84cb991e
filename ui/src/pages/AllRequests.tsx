// Every request, for process owners and administrators (the API refuses anyone else).
import MyRequests from "./MyRequests";

export default function AllRequests() {
  return <MyRequests all />;
}
